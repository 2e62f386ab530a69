// command_line_layer.hpp -- the command-line layer of configuration: declares
// one CLI11 option per key and, after parsing, reports what the user typed.
//
// CLI11 only collects strings here. It is given no default and no
// environment variable, so "given on the command line" stays distinguishable
// from "not given", and the other layers are applied by layered_values().
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config_key.hpp"

namespace fastqueue::config {

class CommandLineLayer {
public:
    // Declares --NAME for each spec on `command`. The specs and `command` must
    // outlive this object, and this object must outlive command's parsing.
    CommandLineLayer(CLI::App& command, const std::vector<const KeySpec*>& specs);
    ~CommandLineLayer();
    CommandLineLayer(const CommandLineLayer&) = delete;
    CommandLineLayer& operator=(const CommandLineLayer&) = delete;

    // After parsing: the value given for `spec`, or std::nullopt when the flag
    // was not on the command line. A scalar flag given twice takes the last
    // occurrence (so a wrapper script's flag can be overridden); a list flag
    // collects every occurrence, name lists split on spaces and commas.
    std::optional<RawValue> find(const KeySpec& spec) const;

private:
    struct Slot;
    std::vector<std::unique_ptr<Slot>> slots_;  // CLI11 writes into these
};

}  // namespace fastqueue::config

// control_plane_options.hpp -- the flags of `fastqueue control-plane` and how
// they resolve into ControlPlaneSettings.
//
// Each key is declared once (in config/) with its flag, its environment
// variable (FASTQUEUE_ + the flag's name in upper case, dashes as
// underscores) and its TOML key (the flag's name with underscores), its
// default and its validator. Precedence: command line, then environment, then
// the file named by --config (or FASTQUEUE_CONFIG), then the default.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config_error.hpp"
#include "config/environment.hpp"  // EnvironmentLookup, process_environment
#include "config/settings.hpp"

namespace fastqueue {

class ControlPlaneOptions {
public:
    // Declares every control-plane flag on `command` (which must outlive this).
    explicit ControlPlaneOptions(CLI::App& command);
    ~ControlPlaneOptions();
    ControlPlaneOptions(const ControlPlaneOptions&) = delete;
    ControlPlaneOptions& operator=(const ControlPlaneOptions&) = delete;

    // After command has parsed: merges the layers and validates every value.
    // Throws ConfigError naming the key, the source and the reason.
    ControlPlaneSettings resolve(const EnvironmentLookup& environment = process_environment) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The port subworkers register on: settings.subworker_port when set, else the
// base address's port + 5. `settings` must come from resolve() (a valid base
// address); throws ConfigError otherwise.
int effective_subworker_port(const ControlPlaneSettings& settings);

// The configuration table of docs/operations.md, in Markdown (every key: flag,
// environment variable, TOML key, default, meaning).
std::string control_plane_keys_markdown();

}  // namespace fastqueue

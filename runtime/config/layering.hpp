// layering.hpp -- merges the layers of configuration. For each key the first
// layer that gives it wins, whole (a list from the command line replaces the
// environment's list; lists are not concatenated across layers):
//   1. the command line         --result-cache-size 20000
//   2. the environment          FASTQUEUE_RESULT_CACHE_SIZE=20000
//   3. the TOML file            result_cache_size = 20000
//      named by --config FILE, or else by FASTQUEUE_CONFIG
//   4. the default              (the settings struct as the role builds it)
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/command_line_layer.hpp"
#include "config/config_key.hpp"
#include "config/environment.hpp"

namespace fastqueue::config {

// --config FILE / FASTQUEUE_CONFIG. Every role lists it among its specs (so
// that it is declared as a flag and documented); it is not a file key.
const KeySpec& config_file_key();

// The winning value of every key that some layer gave.
class LayeredValues {
public:
    // The value of the key named `name` (KeySpec::name), or nullptr when no
    // layer gave it and the default applies.
    const RawValue* find(std::string_view name) const;

    std::map<std::string, RawValue, std::less<>> by_name;
};

// Reads the environment and the config file for `specs` (which must include
// config_file_key()) and merges them under the command line. Throws
// ConfigError for an unreadable or malformed file, an unknown key in it, or a
// value of the wrong TOML type. An environment variable set to "" counts as
// unset. Values are not validated here; each key's apply() does that.
LayeredValues layer_values(const std::vector<const KeySpec*>& specs,
                           const CommandLineLayer& command_line,
                           const EnvironmentLookup& environment);

// Stores every layered value into `settings` through its key's apply(), in
// table order; keys no layer gave keep the value `settings` already holds.
template <class Settings>
void apply_layered_values(const std::vector<ConfigKey<Settings>>& keys, const LayeredValues& values,
                          Settings& settings) {
    for (const auto& key : keys) {
        if (const RawValue* value = values.find(key.spec.name)) key.apply(*value, settings);
    }
}

}  // namespace fastqueue::config

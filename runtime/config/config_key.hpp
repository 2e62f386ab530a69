// config_key.hpp -- how one configuration key is declared. Each key is written
// down once, as a KeySpec (its name, help, default as shown to users and the
// shape of its value) plus a function that validates a value and stores it in
// a role's settings. Its three spellings follow from the name:
//   --result-cache-size   FASTQUEUE_RESULT_CACHE_SIZE   result_cache_size
// The same ConfigKey list drives the command-line flags, the environment
// lookups, the TOML keys and the generated documentation table. Keys shared by
// every role that runs tasks are declared for EngineSettings and lifted into
// each role's settings with lift_keys(), so no role re-declares them.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fastqueue::config {

// The shape of a key's value; it decides how each layer's text is collected
// and split, and which TOML types the file may use for it.
enum class ValueKind {
    string,     // one string; TOML string
    integer,    // one integer; TOML integer
    number,     // one number; TOML integer or float
    name_list,  // names; every layer splits on spaces and commas; the flag is
                // repeatable; TOML string or array of strings
    path_list,  // paths; one per flag occurrence or array element, colon-
                // separated in the environment; TOML string or array of strings
};

struct KeySpec {
    std::string name;            // the flag without its dashes: "result-cache-size"
    std::string value_name{};    // the placeholder in --help: "N", "ADDRESS"
    std::string default_text{};  // the default as users read it, in --help and docs
    std::string help{};          // what the key means, one sentence
    ValueKind kind = ValueKind::string;
    // False only for --config itself: the file cannot name another file.
    bool is_file_key = true;

    std::string flag() const;      // "--result-cache-size"
    std::string env_name() const;  // "FASTQUEUE_RESULT_CACHE_SIZE"
    std::string toml_key() const;  // "result_cache_size"
    bool is_list() const { return kind == ValueKind::name_list || kind == ValueKind::path_list; }
};

// A key's value as one layer gave it, before validation, always as text (a
// TOML integer 5 arrives as "5"), so that one validator serves every layer.
struct RawValue {
    // Exactly one item for a scalar key; a list key's items, already split
    // (possibly none: `--task-modules ""` asks for no modules).
    std::vector<std::string> items;
    // Where the value came from, as error messages name it: "--worker-id",
    // "FASTQUEUE_WORKER_ID" or "config.toml: worker_id".
    std::string source;

    const std::string& text() const { return items.front(); }  // scalar keys only
};

// A key of the role whose settings are `Settings`.
template <class Settings>
struct ConfigKey {
    KeySpec spec;
    // Validates `value` and stores it into `settings`. Throws ConfigError
    // (see invalid_value()) naming the value, its source and the reason.
    std::function<void(const RawValue& value, Settings& settings)> apply;
};

// Re-targets keys declared for a part of a role's settings (such as
// EngineSettings) at the role's settings struct that holds that part.
template <class Outer, class Inner>
std::vector<ConfigKey<Outer>> lift_keys(const std::vector<ConfigKey<Inner>>& keys,
                                        Inner Outer::*part) {
    std::vector<ConfigKey<Outer>> lifted;
    lifted.reserve(keys.size());
    for (const auto& key : keys) {
        lifted.push_back(
            {key.spec, [apply = key.apply, part](const RawValue& value, Outer& settings) {
                 apply(value, settings.*part);
             }});
    }
    return lifted;
}

template <class Settings>
std::vector<const KeySpec*> specs_of(const std::vector<ConfigKey<Settings>>& keys) {
    std::vector<const KeySpec*> specs;
    specs.reserve(keys.size());
    for (const auto& key : keys) specs.push_back(&key.spec);
    return specs;
}

}  // namespace fastqueue::config

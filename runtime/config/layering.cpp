// layering.cpp -- see layering.hpp.
#include "config/layering.hpp"

#include <optional>

#include "config/config_file.hpp"
#include "config/value_parsers.hpp"

namespace fastqueue::config {

namespace {

std::optional<RawValue> environment_value(const KeySpec& spec,
                                          const EnvironmentLookup& environment) {
    const std::string name = spec.env_name();
    std::optional<std::string> text = environment(name);
    if (!text || text->empty()) return std::nullopt;
    RawValue value;
    value.source = name;
    switch (spec.kind) {
        case ValueKind::name_list:
            value.items = split_names(*text);
            break;
        case ValueKind::path_list:
            value.items = split_paths(*text);
            break;
        default:
            value.items.push_back(*text);
            break;
    }
    return value;
}

}  // namespace

const KeySpec& config_file_key() {
    static const KeySpec key{
        .name = "config",
        .value_name = "FILE",
        .default_text = "(none)",
        .help = "TOML file of further settings, below the command line and the environment",
        .kind = ValueKind::string,
        .is_file_key = false,
    };
    return key;
}

const RawValue* LayeredValues::find(std::string_view name) const {
    auto found = by_name.find(name);
    return found == by_name.end() ? nullptr : &found->second;
}

LayeredValues layer_values(const std::vector<const KeySpec*>& specs,
                           const CommandLineLayer& command_line,
                           const EnvironmentLookup& environment) {
    const KeySpec& config_key = config_file_key();
    std::optional<RawValue> config_path = command_line.find(config_key);
    if (!config_path) config_path = environment_value(config_key, environment);

    std::map<std::string, RawValue> file_values;
    if (config_path) {
        if (config_path->text().empty()) {
            throw invalid_value(config_path->source, "", "must name a TOML file");
        }
        file_values = read_config_file(config_path->text(), specs);
    }

    LayeredValues layered;
    for (const KeySpec* spec : specs) {
        if (spec == &config_key) continue;
        std::optional<RawValue> value = command_line.find(*spec);
        if (!value) value = environment_value(*spec, environment);
        if (!value) {
            auto from_file = file_values.find(spec->name);
            if (from_file != file_values.end()) value = std::move(from_file->second);
        }
        if (value) layered.by_name.emplace(spec->name, std::move(*value));
    }
    return layered;
}

}  // namespace fastqueue::config

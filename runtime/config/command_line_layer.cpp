// command_line_layer.cpp -- see command_line_layer.hpp.
#include "config/command_line_layer.hpp"

#include "config/value_parsers.hpp"

namespace fastqueue::config {

struct CommandLineLayer::Slot {
    const KeySpec* spec = nullptr;
    CLI::Option* option = nullptr;
    std::string scalar;             // filled for scalar keys
    std::vector<std::string> list;  // filled for list keys, one entry per value given
};

namespace {

std::string describe(const KeySpec& spec) {
    // "(none)" is how the table says "no default"; --help need not repeat it.
    std::string text = spec.help + " [";
    if (spec.default_text != "(none)") text += "default: " + spec.default_text + "; ";
    return text + "env: " + spec.env_name() + "]";
}

}  // namespace

CommandLineLayer::CommandLineLayer(CLI::App& command, const std::vector<const KeySpec*>& specs) {
    for (const KeySpec* spec : specs) {
        auto slot = std::make_unique<Slot>();
        slot->spec = spec;
        if (spec->is_list()) {
            // One or more values per occurrence, any number of occurrences.
            slot->option = command.add_option(spec->flag(), slot->list, describe(*spec));
        } else {
            slot->option = command.add_option(spec->flag(), slot->scalar, describe(*spec))
                               ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        }
        slot->option->type_name(spec->value_name);
        slots_.push_back(std::move(slot));
    }
}

CommandLineLayer::~CommandLineLayer() = default;

std::optional<RawValue> CommandLineLayer::find(const KeySpec& spec) const {
    for (const auto& slot : slots_) {
        if (slot->spec != &spec) continue;
        if (slot->option->count() == 0) return std::nullopt;
        RawValue value;
        value.source = spec.flag();
        if (!spec.is_list()) {
            value.items.push_back(slot->scalar);
        } else if (spec.kind == ValueKind::name_list) {
            for (const auto& given : slot->list) {
                for (auto& name : split_names(given)) value.items.push_back(std::move(name));
            }
        } else {
            value.items = slot->list;
        }
        return value;
    }
    return std::nullopt;
}

}  // namespace fastqueue::config

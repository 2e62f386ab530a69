// bounded_json.cpp -- see bounded_json.hpp.
#include "protocol/bounded_json.hpp"

#include "fastqueue/plugin_json.hpp"

namespace fastqueue::protocol {

// A task's arguments are read by the plugin wrapper with its own bound.
static_assert(kMaxJsonNesting == fastqueue::plugin::detail::kMaxJsonDepth,
              "the runtime and the plugin wrapper read task JSON to the same depth");

namespace {

// Thrown from the parser's callback to stop at the first level too deep.
struct NestedTooDeep {};

}  // namespace

BoundedJson parse_bounded_json(std::string_view text, int max_nesting) {
    // The callback sees each array and object start with the number of
    // arrays and objects around it.
    const auto refuse_too_deep = [max_nesting](int depth, nlohmann::json::parse_event_t event,
                                               nlohmann::json&) {
        const bool is_start = event == nlohmann::json::parse_event_t::array_start ||
                              event == nlohmann::json::parse_event_t::object_start;
        if (is_start && depth >= max_nesting) throw NestedTooDeep{};
        return true;
    };
    BoundedJson parsed;
    try {
        parsed.value = nlohmann::json::parse(text, refuse_too_deep, /*allow_exceptions=*/false);
    } catch (const NestedTooDeep&) {
        parsed.outcome = BoundedJsonOutcome::too_deep;
        return parsed;
    }
    if (parsed.value.is_discarded()) {
        parsed.value = nullptr;
        return parsed;
    }
    parsed.outcome = BoundedJsonOutcome::ok;
    return parsed;
}

std::string too_deep_reason(std::string_view what, int max_nesting) {
    return std::string(what) + " is nested deeper than " + std::to_string(max_nesting) +
           (max_nesting == 1 ? " level" : " levels");
}

}  // namespace fastqueue::protocol

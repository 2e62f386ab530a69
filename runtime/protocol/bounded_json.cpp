// bounded_json.cpp -- see bounded_json.hpp.
#include "protocol/bounded_json.hpp"

namespace fastqueue::protocol {

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

}  // namespace fastqueue::protocol

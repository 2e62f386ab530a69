// Unit tests of parse_bounded_json (runtime/protocol/bounded_json.hpp): JSON
// text is parsed as nlohmann parses it, unless it nests deeper than allowed,
// which is refused before a value is built.
#include "protocol/bounded_json.hpp"

#include <doctest/doctest.h>

#include <string>

using fastqueue::protocol::BoundedJsonOutcome;
using fastqueue::protocol::kMaxJsonNesting;
using fastqueue::protocol::parse_bounded_json;

namespace {

std::string nested_arrays(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("parse_bounded_json: JSON within the bound is parsed as nlohmann parses it") {
    for (const std::string text : {"1", "\"text\"", "null", "[1,{\"a\":[true]}]", "{}"}) {
        const auto parsed = parse_bounded_json(text);
        CHECK(parsed.outcome == BoundedJsonOutcome::ok);
        CHECK(parsed.value == nlohmann::json::parse(text));
    }
    const auto deepest = parse_bounded_json(nested_arrays(kMaxJsonNesting));
    CHECK(deepest.outcome == BoundedJsonOutcome::ok);
    CHECK(deepest.value.dump() == nested_arrays(kMaxJsonNesting));
}

TEST_CASE("parse_bounded_json: text that is not JSON is invalid, with a null value") {
    for (const std::string text : {"", "not json", "[1,", "\"\xff\"", "{} x"}) {
        const auto parsed = parse_bounded_json(text);
        CHECK(parsed.outcome == BoundedJsonOutcome::invalid);
        CHECK(parsed.value.is_null());
    }
}

TEST_CASE("parse_bounded_json: nesting past the bound is too deep, however deep") {
    for (const std::size_t depth : {std::size_t(kMaxJsonNesting) + 1, std::size_t{4'000'000}}) {
        const auto parsed = parse_bounded_json(nested_arrays(depth));
        CHECK(parsed.outcome == BoundedJsonOutcome::too_deep);
        CHECK(parsed.value.is_null());
    }
    // Objects count as arrays do, and an unfinished text is refused as soon
    // as it is too deep.
    CHECK(parse_bounded_json("{\"a\":{\"b\":[]}}", 2).outcome == BoundedJsonOutcome::too_deep);
    CHECK(parse_bounded_json("{\"a\":{\"b\":[]}}", 3).outcome == BoundedJsonOutcome::ok);
    CHECK(parse_bounded_json(std::string(5000, '[')).outcome == BoundedJsonOutcome::too_deep);
}

// Unit tests of parse_bounded_json (runtime/protocol/bounded_json.hpp): JSON
// text is parsed as nlohmann parses it, unless it nests deeper than allowed,
// which is refused before a value is built.
#include "protocol/bounded_json.hpp"

#include <doctest/doctest.h>

#include <string>

#include "nested_json.hpp"

using fastqueue::protocol::BoundedJsonOutcome;
using fastqueue::protocol::kMaxJsonNesting;
using fastqueue::protocol::parse_bounded_json;
using fastqueue::protocol::too_deep_reason;
using fastqueue::test::nested_arrays;
using fastqueue::test::nested_objects;

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

TEST_CASE("parse_bounded_json: each bound of the wire takes its own depth and refuses one more") {
    for (const int bound :
         {fastqueue::protocol::kMaxTaskListNesting, fastqueue::protocol::kMaxSubmitOptionsNesting,
          fastqueue::protocol::kMaxMetadataNesting, fastqueue::protocol::kMaxStatusNesting}) {
        CAPTURE(bound);
        const auto depth = static_cast<std::size_t>(bound);
        CHECK(parse_bounded_json(nested_arrays(depth, "1"), bound).outcome ==
              BoundedJsonOutcome::ok);
        CHECK(parse_bounded_json(nested_objects(depth), bound).outcome == BoundedJsonOutcome::ok);
        CHECK(parse_bounded_json(nested_arrays(depth + 1), bound).outcome ==
              BoundedJsonOutcome::too_deep);
        CHECK(parse_bounded_json(nested_objects(depth + 1), bound).outcome ==
              BoundedJsonOutcome::too_deep);
    }
}

TEST_CASE("too_deep_reason: names the text and its bound in one line") {
    CHECK(too_deep_reason("task list", 1) == "task list is nested deeper than 1 level");
    CHECK(too_deep_reason("status", 3) == "status is nested deeper than 3 levels");
}

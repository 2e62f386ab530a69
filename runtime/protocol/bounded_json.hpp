// bounded_json.hpp -- parsing JSON text that may nest arbitrarily deep
// (a task's result as the CLI prints it, a --args value, the arguments a
// client library caller passes) into a nlohmann::json value safely.
//
// nlohmann parses and destroys without recursion, but copying a value and
// writing it back to text recurse once per level: a few megabytes of '['
// overflow the stack. parse_bounded_json refuses such text while parsing,
// before any value is built, at the same depth the plugin wrapper reads
// (plugin-sdk/include/fastqueue/plugin_json.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace fastqueue::protocol {

// The deepest nesting of arrays and objects parse_bounded_json accepts.
inline constexpr int kMaxJsonNesting = 1024;

enum class BoundedJsonOutcome {
    ok,        // value holds the parsed text
    invalid,   // not JSON (or not UTF-8)
    too_deep,  // JSON, but nested more than max_nesting arrays and objects deep
};

struct BoundedJson {
    BoundedJsonOutcome outcome = BoundedJsonOutcome::invalid;
    nlohmann::json value;  // null unless outcome is ok
};

// Parses text as one JSON value, nested at most max_nesting arrays and
// objects deep (1 for "[]", 2 for "[[]]"). Never throws for bad text.
BoundedJson parse_bounded_json(std::string_view text, int max_nesting = kMaxJsonNesting);

}  // namespace fastqueue::protocol

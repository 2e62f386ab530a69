// bounded_json.hpp -- the one way FastQueue reads JSON text it did not write
// (every JSON frame from the network, a task's result as the CLI prints it,
// a --args value, the arguments a client library caller passes) into a
// nlohmann::json value, and the nesting each of those texts may have.
//
// nlohmann parses and destroys without recursion, but copying a value and
// writing it back to text recurse once per level: a few hundred kilobytes of
// '[' overflow the stack. parse_bounded_json refuses text nested deeper than
// its caller allows while it parses, before a value that deep is built, so no
// later walk over the value recurses more than that many levels.
//
// The RESULT and RECORD metadata frame is the one exception: it is read once
// per result by FlatJsonObject (flat_json.hpp), with simdjson, under the same
// bound kMaxMetadataNesting.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fastqueue::protocol {

// How many arrays and objects deep each JSON text may nest: 1 for "[]" or
// {"a": 1}, 2 for [[]] or {"a": {}}. docs/protocol.md lists the same values.
//
// A task's arguments and result: the depth the plugin wrapper reads
// (plugin-sdk/include/fastqueue/plugin_json.hpp, kMaxJsonDepth).
inline constexpr int kMaxJsonNesting = 1024;
// REGISTER tasks frame: an array of strings.
inline constexpr int kMaxTaskListNesting = 1;
// SUBMIT options frame: an object of numbers and strings.
inline constexpr int kMaxSubmitOptionsNesting = 1;
// RESULT and RECORD metadata frame: an object of strings, numbers, booleans
// and null, read by FlatJsonObject (which takes nothing deeper).
inline constexpr int kMaxMetadataNesting = 1;
// WORKERS_REPLY status frame: the status object, its "subworkers" object,
// and one object per subworker.
inline constexpr int kMaxStatusNesting = 3;

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
// objects deep, in one pass. Text nested deeper is refused at the first
// array or object past the bound, however deep it goes on. Never throws for
// bad text. The caller checks the text's size first.
BoundedJson parse_bounded_json(std::string_view text, int max_nesting = kMaxJsonNesting);

// The reason for refusing a text that parse_bounded_json found too deep, as
// one line: "<what> is nested deeper than <max_nesting> level(s)".
std::string too_deep_reason(std::string_view what, int max_nesting);

}  // namespace fastqueue::protocol

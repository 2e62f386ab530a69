// plugin_json_fuzzer.cpp -- libFuzzer target for the C++ plugin wrapper's JSON
// reading and writing (plugin-sdk/include/fastqueue/plugin_json.hpp), checked
// against nlohmann, whose results it promises to give exactly.
//
// Input: any bytes. They are
//   1. parsed by parse_json and by json::parse: both must give identical
//      values (same types, same double bits, same members) or both throw the
//      same exception with the same message; except that parse_json refuses
//      text nested more than 1024 deep (JsonTooDeep), which it may do only
//      when the text does open more than 1024 arrays and objects at once;
//   2. when parse_json parsed, written back by dump_json and by dump(): the
//      same text, or the same exception;
//   3. taken as one string, and as an object key, and written both ways: the
//      same text, or the same exception (this is how bytes that are not
//      UTF-8, which no parse yields, reach the writer).
// Any difference aborts with both sides printed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fastqueue/plugin_json.hpp>
#include <functional>
#include <string>

#include "json_identity.hpp"

namespace {

using fastqueue::plugin::detail::dump_json;
using fastqueue::plugin::detail::JsonTooDeep;
using fastqueue::plugin::detail::kMaxJsonDepth;
using fastqueue::plugin::detail::parse_json;
using fastqueue::testing::is_identical_json;
using nlohmann::json;

[[noreturn]] void fail(const char* what, const std::string& expected, const std::string& actual) {
    std::fprintf(stderr, "plugin_json_fuzzer: %s differs\n  nlohmann: %s\n  wrapper:  %s\n", what,
                 expected.c_str(), actual.c_str());
    std::abort();
}

// Runs produce; returns its text, or "exception: " and the message.
std::string text_or_error(const std::function<std::string()>& produce) {
    try {
        return produce();
    } catch (const json::exception& error) {
        return std::string("exception: ") + error.what();
    }
}

void check_dump(const json& value) {
    const std::string expected = text_or_error([&] { return value.dump(); });
    const std::string actual = text_or_error([&] { return dump_json(value); });
    if (actual != expected) fail("dump", expected, actual);
}

// The most arrays and objects open at once anywhere in text, counting the
// brackets outside strings. Loops, so that no input can make it recurse.
std::size_t deepest_nesting(const char* text, std::size_t size) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < size; ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const char* text = reinterpret_cast<const char*>(data);

    json expected;
    std::string expected_error;
    try {
        expected = json::parse(text, text + size);
    } catch (const json::exception& error) {
        expected_error = error.what();
    }
    json actual;
    std::string actual_error;
    try {
        actual = parse_json(text, size);
    } catch (const json::exception& error) {
        actual_error = error.what();
    } catch (const JsonTooDeep&) {
        const std::size_t deepest = deepest_nesting(text, size);
        if (deepest <= kMaxJsonDepth)
            fail("depth", "at most " + std::to_string(kMaxJsonDepth),
                 "refused as too deep at " + std::to_string(deepest));
        return 0;
    }
    if (actual_error != expected_error) fail("parse error", expected_error, actual_error);
    if (expected_error.empty()) {
        if (!is_identical_json(actual, expected))
            fail("parsed value", expected.dump(), actual.dump());
        check_dump(expected);
    }

    const std::string bytes(text, size);
    check_dump(json(bytes));
    check_dump(json::object({{bytes, json::array({bytes, 1})}}));
    return 0;
}

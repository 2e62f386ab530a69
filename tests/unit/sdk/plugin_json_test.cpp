// Unit tests of the C++ wrapper's JSON reading and writing
// (plugin-sdk/include/fastqueue/plugin_json.hpp). Its contract is to give
// exactly what nlohmann's json::parse and dump give, so every case here is
// checked against them: the same value with the same number types, or the
// same exception with the same message; the same text, or the same exception.
#include <doctest/doctest.h>

#include <cmath>
#include <fastqueue/plugin_json.hpp>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "../protocol/nested_json.hpp"
#include "json_identity.hpp"

namespace {

using fastqueue::plugin::detail::dump_json;
using fastqueue::plugin::detail::is_plain_json_text;
using fastqueue::plugin::detail::parse_json;
using fastqueue::test::nested_arrays;
using fastqueue::testing::is_identical_json;
using nlohmann::json;

struct Outcome {
    std::optional<json> value;
    std::string error;  // what() of the exception, when there is no value
};

Outcome nlohmann_parse(const std::string& text) {
    try {
        return {json::parse(text), ""};
    } catch (const json::exception& error) {
        return {std::nullopt, error.what()};
    }
}

Outcome wrapper_parse(const std::string& text) {
    try {
        return {parse_json(text.data(), text.size()), ""};
    } catch (const json::exception& error) {
        return {std::nullopt, error.what()};
    }
}

void check_parses_as_nlohmann(const std::string& text) {
    CAPTURE(text);
    const Outcome expected = nlohmann_parse(text);
    const Outcome actual = wrapper_parse(text);
    REQUIRE(actual.value.has_value() == expected.value.has_value());
    if (expected.value) {
        CAPTURE(expected.value->dump());
        CAPTURE(actual.value->dump());
        CHECK(is_identical_json(*actual.value, *expected.value));
    } else {
        CHECK(actual.error == expected.error);
    }
}

void check_dumps_as_nlohmann(const json& value) {
    std::string expected;
    std::string expected_error;
    try {
        expected = value.dump();
    } catch (const json::exception& error) {
        expected_error = error.what();
    }
    std::string actual;
    std::string actual_error;
    try {
        actual = dump_json(value);
    } catch (const json::exception& error) {
        actual_error = error.what();
    }
    CAPTURE(expected);
    CHECK(actual == expected);
    CHECK(actual_error == expected_error);
}

}  // namespace

TEST_CASE("parse_json: a task input and the common values read as json::parse reads them") {
    for (const std::string& text : std::vector<std::string>{
             R"({"args":["0:xxxx"],"kwargs":{}})",
             R"({"args":[2,3],"kwargs":{"y":4.5,"flag":true,"none":null}})",
             R"( { "args" : [ [1, [2, [3]]], {"a": {"b": {}}} ] } )",
             "[]",
             "{}",
             "\"\"",
             "0",
             "1",
             "-1",
             "true",
             "false",
             "null",
             "1.0",
             "1.5e3",
             "-2.5E-3",
             "123456789012",
             "4.9e-324",
             "2.2250738585072014e-308",
             "1e-400",
             "9223372036854775807",
             "9223372036854775808",
             "18446744073709551615",
             "-9223372036854775808",
             "[0,1,-1]",
             "0.0",
             "-0.0",
             "\"\\u00e9\"",
             "\"é\"",
             "\"\\ud83d\\ude00\"",
             "\"\\u0000x\"",
             "\"\\/\\\\\\\"\\b\\f\\n\\r\\t\"",
             " \t\r\n[ ]\n",
             R"({"a":1,"a":2})",
             R"({"b":1,"a":2})",
             std::string(R"({"args":[")") + std::string(65536, 'x') + R"("]})",
         }) {
        check_parses_as_nlohmann(text);
    }
}

TEST_CASE("parse_json: -0 is a signed integer 0, as json::parse reads it") {
    // simdjson reads "-0" as the integer 0; the wrapper must still give the
    // signed integer json::parse gives, not the unsigned 0 that "0" gives.
    for (const std::string& text : std::vector<std::string>{
             "-0", "[-0]", "[0,-0]", R"({"a":-0,"b":0})", "[0,-0.5]", R"(["-0",0])", "[-0.0,0]"}) {
        check_parses_as_nlohmann(text);
    }
    const json parsed = parse_json("[-0,0]", 6);
    CHECK(parsed[0].is_number_integer());
    CHECK_FALSE(parsed[0].is_number_unsigned());
    CHECK(parsed[1].is_number_unsigned());
}

TEST_CASE("parse_json: what simdjson refuses is json::parse's to accept or reject") {
    for (const std::string& text : std::vector<std::string>{
             // Accepted by json::parse only: a byte-order mark, integers beyond
             // 64 bits (read as doubles).
             std::string("\xEF\xBB\xBF{\"args\":[]}"),
             std::string("18446744073709551616"),
             std::string("-9223372036854775809"),
             std::string("[123456789012345678901234567890]"),
             // As deep as parse_json goes, on either path.
             nested_arrays(1024),
             nested_arrays(1023, "-0"),
             "\xEF\xBB\xBF" + nested_arrays(1024),
             // Rejected by both: json::parse's message is the one given.
             std::string(""),
             std::string(" "),
             std::string("{} x"),
             std::string("01"),
             std::string("-"),
             std::string("1."),
             std::string("1e400"),
             std::string("-1e400"),
             std::string("[1,]"),
             std::string(R"({"a" 1})"),
             std::string("tru"),
             std::string("nul"),
             std::string("\"\t\""),
             std::string("\"\\x\""),
             std::string("\"\\ud800\""),
             std::string("\"\\udc00\""),
             std::string("\"\\ud800\\u0041\""),
             std::string("\"\xff\""),
             std::string("\"\xc3\""),
             std::string("[\"a\"\0]", 6),
             std::string("{\"a\":1}}"),
         }) {
        check_parses_as_nlohmann(text);
    }
}

TEST_CASE("parse_json: text nested more than 1024 deep is refused on either path") {
    // simdjson refuses it itself; with a byte-order mark, or an integer beyond
    // 64 bits, json::parse reads it and must refuse it too.
    for (const std::string& text : std::vector<std::string>{
             nested_arrays(1025), nested_arrays(1000000), "\xEF\xBB\xBF" + nested_arrays(1025),
             nested_arrays(1025, "18446744073709551616"),
             std::string(1024, '[') + "{\"a\":" + std::string(1, '}') + std::string(1024, ']'),
             std::string(2000, '[')}) {
        CAPTURE(text.substr(0, 20));
        CHECK_THROWS_AS(parse_json(text.data(), text.size()),
                        fastqueue::plugin::detail::JsonTooDeep);
    }
}

TEST_CASE("dump_json: every kind of value is written as dump() writes it") {
    const std::vector<json> values = {
        nullptr,
        true,
        false,
        0,
        -1,
        42u,
        std::numeric_limits<std::int64_t>::min(),
        std::numeric_limits<std::uint64_t>::max(),
        0.0,
        -0.0,
        1.5,
        1e300,
        5e-324,
        std::nan(""),
        std::numeric_limits<double>::infinity(),
        "",
        "plain text",
        "quote \" in",
        "back\\slash",
        "tab\tnew\nline",
        std::string("nul\0byte", 8),
        "\x01\x1f",
        "del \x7f",
        "caf\xc3\xa9",
        "\xf0\x9f\x98\x80",
        json::array(),
        json::object(),
        json::array({1, "two", json::array({3.5, nullptr}), json::object({{"k", "v"}})}),
        json::object({{"b", 1}, {"a", json::array()}, {"key \"quoted\"", "\xc3\xa9"}, {"", 0}}),
        std::string(65536, 'x'),
        std::string(65535, 'x') + "\n",
    };
    for (const json& value : values) check_dumps_as_nlohmann(value);
}

TEST_CASE("dump_json: invalid UTF-8 fails as dump() fails") {
    for (const std::string& text :
         std::vector<std::string>{"\xff", "ok\xc3", "\xc3(", "\xed\xa0\x80"}) {
        check_dumps_as_nlohmann(json(text));
        check_dumps_as_nlohmann(json::object({{text, 1}}));
        check_dumps_as_nlohmann(json::array({"fine", text}));
    }
}

TEST_CASE("is_plain_json_text: finds a byte that needs work at any position") {
    // 75 bytes: four 16-byte blocks and an 11-byte tail, so that both
    // paths of the scan meet the byte at every position.
    const std::string plain(75, 'a');
    REQUIRE(is_plain_json_text(plain));
    for (int byte = 0; byte < 256; ++byte) {
        const bool needs_work = byte < 0x20 || byte >= 0x80 || byte == '"' || byte == '\\';
        for (std::size_t position = 0; position < plain.size(); ++position) {
            std::string text = plain;
            text[position] = static_cast<char>(byte);
            CAPTURE(byte);
            CAPTURE(position);
            CHECK(is_plain_json_text(text) == !needs_work);
        }
    }
}

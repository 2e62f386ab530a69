// json_text_test.cpp -- JsonObjectWriter writes what a JSON parser reads
// back: every member, escaped strings, and nothing for values JSON cannot
// hold.
#include "protocol/json_text.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

using fastqueue::protocol::JsonObjectWriter;

TEST_CASE("JsonObjectWriter: no member is an empty object") {
    CHECK(JsonObjectWriter().finish() == "{}");
}

TEST_CASE("JsonObjectWriter: members read back as written, in the order written") {
    JsonObjectWriter writer;
    writer.number_member("a", std::uint64_t{18446744073709551615ULL});
    writer.bool_member("b", false);
    writer.number_member("c", 0.25);
    writer.string_member("d", "quote \" backslash \\ newline \n bell \x07 snowman \xe2\x98\x83");
    const std::string text = std::move(writer).finish();
    const auto object = nlohmann::json::parse(text);
    CHECK(object["a"].get<std::uint64_t>() == 18446744073709551615ULL);
    CHECK(object["b"] == false);
    CHECK(object["c"] == 0.25);
    CHECK(object["d"] == "quote \" backslash \\ newline \n bell \x07 snowman \xe2\x98\x83");
    CHECK(text == object.dump());
}

TEST_CASE("JsonObjectWriter: a number that is not finite is left out") {
    JsonObjectWriter writer;
    writer.number_member("nan", std::numeric_limits<double>::quiet_NaN());
    writer.number_member("inf", std::numeric_limits<double>::infinity());
    writer.number_member("one", 1.0);
    const auto object = nlohmann::json::parse(std::move(writer).finish());
    CHECK(object.size() == 1);
    CHECK(object["one"] == 1.0);
}

TEST_CASE(
    "JsonObjectWriter: every character that needs an escape, anywhere in a string, as a "
    "JSON library writes it") {
    // Each control character, quote and backslash alone, first, last, beside
    // another escape, and between plain runs.
    std::string every_escape;
    for (int c = 0; c < 0x20; ++c) every_escape.push_back(static_cast<char>(c));
    every_escape += "\"\\";
    const std::string values[] = {
        every_escape,
        "\"starts with a quote",
        "ends with a backslash\\",
        "\n\n",
        "plain " + every_escape + " plain",
        "",
        "no escape at all",
    };
    for (const auto& value : values) {
        JsonObjectWriter writer;
        writer.string_member("v", value);
        const std::string text = std::move(writer).finish();
        CAPTURE(text);
        const auto object = nlohmann::json::parse(text);
        CHECK(object["v"] == value);
        CHECK(text == object.dump());
    }
}

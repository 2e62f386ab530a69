// flat_json_test.cpp -- FlatJsonObject reads a flat object's members as a
// JSON document would hold them: each member's kind and value, the last of a
// repeated key; no result for text that is not JSON in UTF-8, and none, with
// the outcome too_deep, for text holding an array or object, however deep.
#include "protocol/flat_json.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "nested_json.hpp"

using fastqueue::protocol::BoundedJsonOutcome;
using fastqueue::protocol::FlatJsonObject;
using fastqueue::protocol::FlatJsonValue;
using Kind = FlatJsonValue::Kind;

namespace {

// Checks every member of `text` against what nlohmann's document holds.
void check_members_match_document(const std::string& text) {
    CAPTURE(text);
    const auto document = nlohmann::json::parse(text);
    const auto members = FlatJsonObject::parse(text);
    REQUIRE(members.has_value());
    REQUIRE(members->is_object() == document.is_object());
    if (!document.is_object()) return;
    for (const auto& item : document.items()) {
        // Named, not a structured binding: CAPTURE's lambda cannot capture one in C++20.
        const std::string key = item.key();
        const nlohmann::json& expected = item.value();
        CAPTURE(key);
        const FlatJsonValue* value = members->find(key);
        REQUIRE(value != nullptr);
        if (expected.is_null()) {
            CHECK(value->kind == Kind::null);
        } else if (expected.is_boolean()) {
            REQUIRE(value->kind == Kind::boolean);
            CHECK(value->boolean == expected.get<bool>());
        } else if (expected.is_number_unsigned()) {
            REQUIRE(value->kind == Kind::unsigned_integer);
            CHECK(value->unsigned_integer == expected.get<std::uint64_t>());
        } else if (expected.is_number_integer()) {
            REQUIRE(value->kind == Kind::negative_integer);
            CHECK(value->negative_integer == expected.get<std::int64_t>());
        } else if (expected.is_number_float()) {
            REQUIRE(value->kind == Kind::floating);
            CHECK(value->floating == expected.get<double>());
        } else {
            REQUIRE(value->kind == Kind::string);
            CHECK(value->string == expected.get<std::string>());
        }
        if (expected.is_number()) CHECK(value->as_double() == expected.get<double>());
    }
}

}  // namespace

TEST_CASE("FlatJsonObject: every kind of member reads as the JSON document holds it") {
    check_members_match_document(
        R"({"s":"text with \"quotes\", \\ and \u00e9","u":18446744073709551615,"n":-42,)"
        R"("f":0.25,"e":1e3,"t":true,"no":false,"z":null,"empty":""})");
    check_members_match_document(R"({})");
}

TEST_CASE("FlatJsonObject: a repeated key yields its last value, as a JSON document keeps it") {
    const std::string text = R"({"k":"first","k":"second","other":1,"k":"third"})";
    const auto members = FlatJsonObject::parse(text);
    REQUIRE(members.has_value());
    REQUIRE(members->find("k") != nullptr);
    CHECK(members->find("k")->string == "third");
    CHECK(members->find("k")->string == nlohmann::json::parse(text)["k"]);
    CHECK(members->find("missing") == nullptr);
}

TEST_CASE("FlatJsonObject: valid JSON that is not an object parses with no members") {
    for (const std::string text : {"[1,2]", R"("text")", "42", "null", "[]", R"(["k","v"])"}) {
        CAPTURE(text);
        BoundedJsonOutcome outcome = BoundedJsonOutcome::invalid;
        const auto members = FlatJsonObject::parse(text, &outcome);
        CHECK(outcome == BoundedJsonOutcome::ok);
        REQUIRE(members.has_value());
        CHECK_FALSE(members->is_object());
        CHECK(members->find("k") == nullptr);
    }
}

TEST_CASE("FlatJsonObject: text that is not JSON, or not UTF-8, does not parse") {
    for (const std::string& text :
         {std::string(""), std::string("{"), std::string(R"({"a":1)"), std::string(R"({"a":1}x)"),
          std::string(R"({"a":})"), std::string(R"({a:1})"), std::string("{\"a\":\"\xff\"}"),
          std::string("{\"\xc3\":1}"), std::string(R"({"a":1,})"),
          std::string("{\"a\":\"\x01\"}")}) {
        CAPTURE(text);
        BoundedJsonOutcome outcome = BoundedJsonOutcome::ok;
        CHECK_FALSE(FlatJsonObject::parse(text, &outcome).has_value());
        CHECK(outcome == BoundedJsonOutcome::invalid);
        CHECK(nlohmann::json::parse(text, nullptr, false).is_discarded());
    }
}

TEST_CASE(
    "FlatJsonObject: an array or object inside the top-level value is too deep, however deep") {
    using fastqueue::test::kHostileNesting;
    using fastqueue::test::nested_arrays;
    using fastqueue::test::nested_objects;
    for (const std::string& text :
         {nested_objects(kHostileNesting), nested_arrays(kHostileNesting), nested_objects(2),
          nested_arrays(2), std::string(R"({"a":1,"b":{}})"), std::string(R"({"a":[],"b":1})"),
          std::string(R"({"a":[1,{"c":"y"}]})"), std::string(R"([1,{"k":"v"}])")}) {
        CAPTURE(text.substr(0, 40));
        BoundedJsonOutcome outcome = BoundedJsonOutcome::ok;
        CHECK_FALSE(FlatJsonObject::parse(text, &outcome).has_value());
        CHECK(outcome == BoundedJsonOutcome::too_deep);
    }
    // Unfinished as well as deep: simdjson finds it is not JSON first.
    BoundedJsonOutcome unfinished = BoundedJsonOutcome::ok;
    CHECK_FALSE(FlatJsonObject::parse(std::string(kHostileNesting, '['), &unfinished));
    CHECK(unfinished == BoundedJsonOutcome::invalid);
    // At the bound: one flat object.
    BoundedJsonOutcome outcome = BoundedJsonOutcome::invalid;
    const auto flat = FlatJsonObject::parse(nested_objects(FlatJsonObject::kMaxNesting), &outcome);
    CHECK(outcome == BoundedJsonOutcome::ok);
    REQUIRE(flat.has_value());
    REQUIRE(flat->find("a") != nullptr);
    CHECK(flat->find("a")->unsigned_integer == 1);
}

// Tests of runtime/config/value_parsers.cpp: configuration numbers are read
// strictly, and list values split the way the documentation says.
#include "config/value_parsers.hpp"

#include <doctest/doctest.h>

#include "protocol/messages.hpp"

namespace fastqueue::config {
namespace {

TEST_CASE("parse_integer: accepts plain decimal integers only") {
    CHECK(parse_integer("42") == 42);
    CHECK(parse_integer("-5") == -5);
    CHECK(parse_integer("9223372036854775807") == INT64_MAX);
    for (const char* text : {"", " 42", "42 ", "+42", "42x", "4_2", "0x10", "1.0", "1e3",
                             "9223372036854775808", "-9223372036854775809"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_integer(text).has_value());
    }
}

TEST_CASE("parse_number: accepts decimal numbers only") {
    CHECK(parse_number("2.5") == 2.5);
    CHECK(parse_number("30") == 30.0);
    CHECK(parse_number("1e3") == 1000.0);
    for (const char* text : {"", " 1", "1 ", "+1", "1s", "0x1p3", "one"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_number(text).has_value());
    }
}

TEST_CASE("integer_in_range: the error names value and source and states the range") {
    RawValue value{{"1025"}, "--concurrency"};
    CHECK_THROWS_WITH_AS(
        integer_in_range(value, 1, 1024),
        "invalid value '1025' for --concurrency: must be an integer from 1 to 1024", ConfigError);
    CHECK(integer_in_range(RawValue{{"1024"}, "--concurrency"}, 1, 1024) == 1024);
}

TEST_CASE("worker_id_value: both roles' --worker-id follows the wire's worker id rule") {
    for (const std::string& id : {std::string("a"), std::string("sw-1.b:c_d"),
                                  std::string(protocol::kMaxTaskNameBytes, 'x')}) {
        CAPTURE(id);
        CHECK(protocol::is_valid_task_name(id));
        CHECK(worker_id_value(RawValue{{id}, "--worker-id"}) == id);
    }
    for (const std::string& id :
         {std::string(""), std::string("bad id"), std::string("a/b"), std::string("caf\xc3\xa9"),
          std::string(protocol::kMaxTaskNameBytes + 1, 'x')}) {
        CAPTURE(id);
        CHECK_FALSE(protocol::is_valid_task_name(id));
        CHECK_THROWS_WITH_AS(worker_id_value(RawValue{{id}, "--worker-id"}),
                             ("invalid value '" + id +
                              "' for --worker-id: must be 1 to 128 characters of A-Z a-z 0-9 _ . "
                              ": -")
                                 .c_str(),
                             ConfigError);
    }
}

TEST_CASE("split_names: splits on spaces, tabs and commas and drops empty pieces") {
    CHECK(split_names("a, b,,c\td ") == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(split_names(" , ").empty());
}

TEST_CASE("split_paths: splits on colons only and drops empty pieces") {
    CHECK(split_paths("/a b:/c,d::/e") == std::vector<std::string>{"/a b", "/c,d", "/e"});
}

}  // namespace
}  // namespace fastqueue::config

// Tests of runtime/config/log_level.cpp: the level names users write.
#include "config/log_level.hpp"

#include <doctest/doctest.h>

#include <string>

namespace fastqueue {
namespace {

TEST_CASE("parse_log_level: every documented name reads back as itself") {
    for (LogLevel level : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn,
                           LogLevel::error, LogLevel::off}) {
        std::string name(log_level_name(level));
        CAPTURE(name);
        CHECK(std::string(log_level_choices()).find(name) != std::string::npos);
        CHECK(parse_log_level(name) == level);
    }
    CHECK(parse_log_level("warn") == LogLevel::warn);
}

TEST_CASE("parse_log_level: rejects names it does not document") {
    for (const char* name : {"", "warning", "verbose", "critical", "info "}) {
        CAPTURE(name);
        CHECK_FALSE(parse_log_level(name).has_value());
    }
}

}  // namespace
}  // namespace fastqueue

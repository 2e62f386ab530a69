// task_test.cpp -- names of priorities and states, and the timestamp format
// every record, wire message and CLI line uses (runtime/common/task.cpp).
#include "fastqueue/task.hpp"

#include <doctest/doctest.h>

using namespace fastqueue;
using namespace std::chrono;

TEST_CASE("Priority and TaskState: names round-trip and unknown names are rejected") {
    for (auto priority : {Priority::critical, Priority::high, Priority::normal, Priority::low}) {
        CHECK(parse_priority(to_string(priority)) == priority);
    }
    CHECK(to_string(Priority::critical) == "critical");
    CHECK(to_string(Priority::low) == "low");
    for (auto state : {TaskState::queued, TaskState::running, TaskState::success,
                       TaskState::failure, TaskState::cancelled}) {
        CHECK(parse_task_state(to_string(state)) == state);
    }
    CHECK(to_string(TaskState::cancelled) == "cancelled");
    CHECK_FALSE(parse_priority("Critical"));
    CHECK_FALSE(parse_priority(""));
    CHECK_FALSE(parse_task_state("done"));
    CHECK_FALSE(parse_task_state("success "));
}

TEST_CASE("is_finished: only success, failure and cancelled are final") {
    CHECK_FALSE(is_finished(TaskState::queued));
    CHECK_FALSE(is_finished(TaskState::running));
    CHECK(is_finished(TaskState::success));
    CHECK(is_finished(TaskState::failure));
    CHECK(is_finished(TaskState::cancelled));
}

TEST_CASE("format_timestamp: UTC with six fractional digits and Z") {
    Timestamp at = sys_days{year{2026} / 11 / 27} + hours{23} + minutes{52} + seconds{33} +
                   microseconds{123456};
    CHECK(format_timestamp(at) == "2026-11-27T23:52:33.123456Z");
    Timestamp whole = sys_days{year{2001} / 1 / 2} + hours{3} + minutes{4} + seconds{5};
    CHECK(format_timestamp(whole) == "2001-01-02T03:04:05.000000Z");
    // Sub-microsecond digits are dropped, not rounded up.
    CHECK(format_timestamp(whole + nanoseconds{999}) == "2001-01-02T03:04:05.000000Z");
}

TEST_CASE("format_timestamp and parse_timestamp: the unset timestamp is the empty string") {
    CHECK(format_timestamp(Timestamp{}) == "");
    auto parsed = parse_timestamp("");
    REQUIRE(parsed);
    CHECK(*parsed == Timestamp{});
}

TEST_CASE("parse_timestamp: round-trips format_timestamp to the microsecond") {
    Timestamp now = time_point_cast<microseconds>(Clock::now());
    auto parsed = parse_timestamp(format_timestamp(now));
    REQUIRE(parsed);
    CHECK(*parsed == now);

    auto leap_day = parse_timestamp("2024-02-29T12:00:00.000001Z");
    REQUIRE(leap_day);
    CHECK(format_timestamp(*leap_day) == "2024-02-29T12:00:00.000001Z");
    CHECK(*leap_day - (sys_days{year{2024} / 2 / 29} + hours{12}) == microseconds{1});
}

TEST_CASE("parse_timestamp: accepts the first and last microsecond a Timestamp holds") {
    auto first = parse_timestamp("1677-09-21T00:12:43.145225Z");
    REQUIRE(first);
    CHECK(*first - Timestamp::min() < microseconds{1});
    auto last = parse_timestamp("2262-04-11T23:47:16.854775Z");
    REQUIRE(last);
    CHECK(Timestamp::max() - *last < microseconds{1});
}

TEST_CASE("parse_timestamp: rejects anything format_timestamp does not write") {
    const char* bad[] = {
        "2026-11-27T23:52:33Z",              // no fraction
        "2026-11-27T23:52:33.123Z",          // milliseconds only
        "2026-11-27T23:52:33.1234567Z",      // nanoseconds
        "2026-11-27T23:52:33.123456",        // no Z
        "2026-11-27T23:52:33.123456+00:00",  // offset instead of Z
        "2026-11-27 23:52:33.123456Z",       // space instead of T
        "2026-13-27T23:52:33.123456Z",       // month 13
        "2026-02-30T23:52:33.123456Z",       // no such day
        "2025-02-29T00:00:00.000000Z",       // not a leap year
        "2026-11-27T24:00:00.000000Z",       // hour 24
        "2026-11-27T23:60:00.000000Z",       // minute 60
        "2026-11-27T23:59:60.000000Z",       // leap second
        "2026-1a-27T23:52:33.123456Z",       // not a digit
        "-026-11-27T23:52:33.123456Z",       // sign
        "now",
        " 2026-11-27T23:52:33.123456Z",
        "2691-11-27T23:52:33.123456Z",  // after what a Timestamp holds (found by fuzzing)
        "9999-12-31T23:59:59.999999Z",
        "1677-09-21T00:12:43.145224Z",  // before it
        "0000-01-01T00:00:00.000000Z",
    };
    for (const char* text : bad) {
        CAPTURE(text);
        CHECK_FALSE(parse_timestamp(text));
    }
}

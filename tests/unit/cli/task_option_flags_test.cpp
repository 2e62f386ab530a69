// task_option_flags_test.cpp -- the `fastqueue submit` task-lifetime flags
// (runtime/cli/task_option_flags.cpp): ISO-8601 times and flag checks.
#include "cli/task_option_flags.hpp"

#include <doctest/doctest.h>

using namespace fastqueue;
using fastqueue::cli::parse_iso8601;
using fastqueue::cli::TaskOptionFlags;
using namespace std::chrono_literals;

TEST_CASE("parse_iso8601: a date and time with a zone, as an instant") {
    const auto utc = parse_timestamp("2026-11-28T09:30:00.000000Z");
    CHECK(parse_iso8601("2026-11-28T09:30:00Z") == utc);
    CHECK(parse_iso8601("2026-11-28 09:30:00z") == utc);
    CHECK(parse_iso8601("2026-11-28T10:30:00+01:00") == utc);
    CHECK(parse_iso8601("2026-11-28T04:00:00-05:30") == utc);
    CHECK(parse_iso8601("2026-11-28T09:30:00.25Z") ==
          parse_timestamp("2026-11-28T09:30:00.250000Z"));
    CHECK(parse_iso8601("2026-11-28T09:30:00.123456Z") ==
          parse_timestamp("2026-11-28T09:30:00.123456Z"));

    CHECK_FALSE(parse_iso8601("2026-11-28T09:30:00"));  // no zone
    CHECK_FALSE(parse_iso8601("2026-11-28"));
    CHECK_FALSE(parse_iso8601("2026-11-28T09:30:00.Z"));
    CHECK_FALSE(parse_iso8601("2026-11-28T09:30:00.1234567Z"));
    CHECK_FALSE(parse_iso8601("2026-11-28T09:30:00+1:00"));
    CHECK_FALSE(parse_iso8601("2026-11-28T09:30:00+24:00"));
    CHECK_FALSE(parse_iso8601("2026-13-28T09:30:00Z"));
    CHECK_FALSE(parse_iso8601("2026-11-28X09:30:00Z"));
    CHECK_FALSE(parse_iso8601("tomorrow at nine o'clock"));
}

TEST_CASE("TaskOptionFlags: seconds become milliseconds; bad values name their flag") {
    TaskOptionFlags flags;
    flags.task_timeout_seconds = 2.5;
    flags.max_retries = 3;
    flags.retry_backoff_seconds = 0.05;
    flags.eta = "2026-11-28T09:30:00Z";
    const TaskOptions options = flags.to_options();
    CHECK(options.task_timeout == 2500ms);
    CHECK(options.max_retries == 3);
    CHECK(options.retry_backoff == 50ms);
    CHECK(options.countdown == 0ms);
    CHECK(options.eta == parse_timestamp("2026-11-28T09:30:00.000000Z"));

    auto error_of = [](const TaskOptionFlags& bad) -> std::string {
        try {
            bad.to_options();
        } catch (const ClientError& error) {
            CHECK(error.kind() == ClientErrorKind::invalid_argument);
            return error.what();
        }
        return "";
    };
    TaskOptionFlags negative;
    negative.countdown_seconds = -1;
    CHECK(error_of(negative).find("--countdown") != std::string::npos);
    TaskOptionFlags bad_eta;
    bad_eta.eta = "2026-11-28T09:30:00";
    CHECK(error_of(bad_eta).find("--eta '2026-11-28T09:30:00' is not an ISO-8601 time") !=
          std::string::npos);
}

// result_cache_test.cpp -- ResultCache: which records a client can still read
// back. Least recently used eviction at the size limit (a put and a successful
// get are uses, contains is not), expiry ttl after the put (never returned once
// expired, even before a sweep), sweep counts, and replacement on re-put.
//
// Time is injected: every call gets an explicit steady-clock time point.
#include "results/result_cache.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

const ResultCache::SteadyClock::time_point t0{std::chrono::hours(1000)};

TaskRecord record(std::string task_id, TaskState state = TaskState::success,
                  std::string result = "42") {
    TaskRecord r;
    r.task_id = std::move(task_id);
    r.task_name = "add";
    r.priority = Priority::high;
    r.state = state;
    r.result = std::move(result);
    r.attempts = 1;
    r.worker_id = "control-plane";
    return r;
}

}  // namespace

TEST_CASE("ResultCache: returns the record it was given") {
    ResultCache cache(10, 60s);
    cache.put(record("a", TaskState::failure, ""), t0);
    const auto found = cache.get("a", t0);
    REQUIRE(found.has_value());
    CHECK(found->task_id == "a");
    CHECK(found->task_name == "add");
    CHECK(found->priority == Priority::high);
    CHECK(found->state == TaskState::failure);
    CHECK(found->attempts == 1);
    CHECK(found->worker_id == "control-plane");
    CHECK(cache.size() == 1);
    CHECK_FALSE(cache.get("b", t0).has_value());
}

TEST_CASE("ResultCache: evicts the least recently read entry at the size limit") {
    ResultCache cache(3, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    REQUIRE(cache.get("a", t0).has_value());  // now b is the least recently used

    cache.put(record("d"), t0);
    CHECK(cache.size() == 3);
    CHECK_FALSE(cache.get("b", t0).has_value());
    CHECK(cache.get("a", t0).has_value());
    CHECK(cache.get("c", t0).has_value());
    CHECK(cache.get("d", t0).has_value());
}

TEST_CASE("ResultCache: without reads the oldest put is evicted first") {
    ResultCache cache(2, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    CHECK(cache.size() == 2);
    CHECK_FALSE(cache.contains("a", t0));
    CHECK(cache.contains("b", t0));
    CHECK(cache.contains("c", t0));
}

TEST_CASE("ResultCache: a re-put counts as a use") {
    ResultCache cache(3, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    cache.put(record("a", TaskState::success, "43"), t0);  // b is now the oldest use

    cache.put(record("d"), t0);
    CHECK_FALSE(cache.contains("b", t0));
    CHECK(cache.contains("a", t0));
}

TEST_CASE("ResultCache: contains does not count as a use") {
    ResultCache cache(3, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    REQUIRE(cache.contains("a", t0));

    cache.put(record("d"), t0);
    CHECK_FALSE(cache.contains("a", t0));
    CHECK(cache.contains("b", t0));
}

TEST_CASE("ResultCache: a size limit of one keeps only the latest record") {
    ResultCache cache(1, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    CHECK(cache.size() == 1);
    CHECK_FALSE(cache.get("a", t0).has_value());
    CHECK(cache.get("b", t0).has_value());
}

TEST_CASE("ResultCache: an expired record is never returned, even before a sweep") {
    ResultCache cache(10, 60s);
    cache.put(record("a"), t0);

    CHECK(cache.get("a", t0 + 59s).has_value());
    CHECK(cache.contains("a", t0 + 59s));
    CHECK_FALSE(cache.contains("a", t0 + 60s));
    CHECK(cache.size() == 1);  // contains leaves it for the sweep
    CHECK_FALSE(cache.get("a", t0 + 60s).has_value());
    CHECK(cache.size() == 0);  // the get removed it
    CHECK_FALSE(cache.get("a", t0 + 59s).has_value());  // gone, not hidden
}

TEST_CASE("ResultCache: a read does not extend a record's life") {
    ResultCache cache(10, 60s);
    cache.put(record("a"), t0);
    REQUIRE(cache.get("a", t0 + 50s).has_value());
    CHECK_FALSE(cache.get("a", t0 + 61s).has_value());
}

TEST_CASE("ResultCache: sweep_expired removes exactly the expired records and counts them") {
    ResultCache cache(10, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0 + 10s);
    cache.put(record("c"), t0 + 20s);

    CHECK(cache.sweep_expired(t0 + 59s) == 0);
    CHECK(cache.size() == 3);
    CHECK(cache.sweep_expired(t0 + 75s) == 2);
    CHECK(cache.size() == 1);
    CHECK(cache.get("c", t0 + 75s).has_value());
    CHECK(cache.sweep_expired(t0 + 75s) == 0);
    CHECK(cache.sweep_expired(t0 + 80s) == 1);
    CHECK(cache.size() == 0);
}

TEST_CASE("ResultCache: a re-put replaces the record, keeps one entry and restarts its ttl") {
    ResultCache cache(10, 60s);
    cache.put(record("a", TaskState::running, ""), t0);
    cache.put(record("a", TaskState::success, "\"done\""), t0 + 50s);

    CHECK(cache.size() == 1);
    const auto found = cache.get("a", t0 + 100s);
    REQUIRE(found.has_value());
    CHECK(found->state == TaskState::success);
    CHECK(found->result == "\"done\"");
    CHECK(cache.sweep_expired(t0 + 100s) == 0);
    CHECK(cache.sweep_expired(t0 + 110s) == 1);
}

TEST_CASE("ResultCache: a replaced record stays findable through later evictions and sweeps") {
    // The index keys view the stored task ids; a replace must re-point them.
    // Ids are UUID-length so each lives in its own heap buffer.
    const std::string kept_id = "0f8e3a52-6c1d-4b7e-9a10-5d2c8f4e7b31";
    ResultCache cache(3, 60s);
    for (int round = 0; round < 50; ++round) {
        cache.put(record(kept_id, TaskState::success, std::to_string(round)), t0);
        cache.put(record("11111111-2222-4333-8444-" + std::to_string(100000000000 + round)), t0);
    }
    CHECK(cache.size() == 3);
    const auto kept = cache.get(kept_id, t0);
    REQUIRE(kept.has_value());
    CHECK(kept->result == "49");
    CHECK(cache.sweep_expired(t0 + 60s) == 3);
    CHECK(cache.size() == 0);
    CHECK_FALSE(cache.contains(kept_id, t0));
}

TEST_CASE("ResultCache: a very long ttl does not overflow into early expiry") {
    ResultCache cache(10, std::chrono::hours(24 * 365 * 1000));
    const auto now = ResultCache::SteadyClock::now();
    cache.put(record("a"), now);
    CHECK(cache.get("a", now + std::chrono::hours(24 * 365)).has_value());
}

TEST_CASE("ResultCache: refuses a zero size limit or a non-positive ttl") {
    CHECK_THROWS_AS(ResultCache(0, 60s), std::invalid_argument);
    CHECK_THROWS_AS(ResultCache(10, 0s), std::invalid_argument);
    CHECK_THROWS_AS(ResultCache(10, -5s), std::invalid_argument);
    const ResultCache cache(7, 90s);
    CHECK(cache.max_entries() == 7);
    CHECK(cache.ttl() == 90s);
}

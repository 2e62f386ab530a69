// result_cache_test.cpp -- ResultCache: which records a client can still read
// back. Least recently used eviction at the size limit and at the byte limit
// (a put and a successful get are uses, contains is not), the charge of each
// record and how replacement, expiry and sweeps give it back, records larger
// than the whole byte budget, expiry ttl after the put (never returned once
// expired, even before a sweep), sweep counts, and replacement on re-put.
//
// Time is injected: every call gets an explicit steady-clock time point.
#include "results/result_cache.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "../common/tracked_bytes.hpp"
#include "common/uuid.hpp"

using namespace fastqueue;
using fastqueue::test::TrackedBytes;
using namespace std::chrono_literals;

namespace {

const ResultCache::SteadyClock::time_point t0{std::chrono::hours(1000)};

// The canonical task id named `name`: a canonical id as it is, else a fixed
// UUID whose last digits are the name's bytes in hex (names of up to 6
// bytes). The cache keeps canonical ids only, as the control plane does.
std::string id(std::string_view name) {
    if (is_canonical_uuid(name)) return std::string(name);
    REQUIRE(name.size() <= 6);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string digits;
    for (const char c : name) {
        digits.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
        digits.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
    }
    return "00000000-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

// A record of the task named `name` (see id()).
TaskRecord record(std::string_view name, TaskState state = TaskState::success,
                  std::string result = "42") {
    TaskRecord r;
    r.task_id = id(name);
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
    const auto found = cache.get(id("a"), t0);
    REQUIRE(found.has_value());
    CHECK(found->task_id == id("a"));
    CHECK(found->task_name == "add");
    CHECK(found->priority == Priority::high);
    CHECK(found->state == TaskState::failure);
    CHECK(found->attempts == 1);
    CHECK(found->worker_id == "control-plane");
    CHECK(cache.size() == 1);
    CHECK_FALSE(cache.get(id("b"), t0).has_value());
}

TEST_CASE("ResultCache: evicts the least recently read entry at the size limit") {
    ResultCache cache(3, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    REQUIRE(cache.get(id("a"), t0).has_value());  // now b is the least recently used

    cache.put(record("d"), t0);
    CHECK(cache.size() == 3);
    CHECK_FALSE(cache.get(id("b"), t0).has_value());
    CHECK(cache.get(id("a"), t0).has_value());
    CHECK(cache.get(id("c"), t0).has_value());
    CHECK(cache.get(id("d"), t0).has_value());
}

TEST_CASE("ResultCache: without reads the oldest put is evicted first") {
    ResultCache cache(2, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    CHECK(cache.size() == 2);
    CHECK_FALSE(cache.contains(id("a"), t0));
    CHECK(cache.contains(id("b"), t0));
    CHECK(cache.contains(id("c"), t0));
}

TEST_CASE("ResultCache: a re-put counts as a use") {
    ResultCache cache(3, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    cache.put(record("a", TaskState::success, "43"), t0);  // b is now the oldest use

    cache.put(record("d"), t0);
    CHECK_FALSE(cache.contains(id("b"), t0));
    CHECK(cache.contains(id("a"), t0));
}

TEST_CASE("ResultCache: contains does not count as a use") {
    ResultCache cache(3, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    REQUIRE(cache.contains(id("a"), t0));

    cache.put(record("d"), t0);
    CHECK_FALSE(cache.contains(id("a"), t0));
    CHECK(cache.contains(id("b"), t0));
}

TEST_CASE("ResultCache: a size limit of one keeps only the latest record") {
    ResultCache cache(1, 60s);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    CHECK(cache.size() == 1);
    CHECK_FALSE(cache.get(id("a"), t0).has_value());
    CHECK(cache.get(id("b"), t0).has_value());
}

TEST_CASE("ResultCache: an expired record is never returned, even before a sweep") {
    ResultCache cache(10, 60s);
    cache.put(record("a"), t0);

    CHECK(cache.get(id("a"), t0 + 59s).has_value());
    CHECK(cache.contains(id("a"), t0 + 59s));
    CHECK_FALSE(cache.contains(id("a"), t0 + 60s));
    CHECK(cache.size() == 1);  // contains leaves it for the sweep
    CHECK_FALSE(cache.get(id("a"), t0 + 60s).has_value());
    CHECK(cache.size() == 0);                               // the get removed it
    CHECK_FALSE(cache.get(id("a"), t0 + 59s).has_value());  // gone, not hidden
}

TEST_CASE("ResultCache: a read does not extend a record's life") {
    ResultCache cache(10, 60s);
    cache.put(record("a"), t0);
    REQUIRE(cache.get(id("a"), t0 + 50s).has_value());
    CHECK_FALSE(cache.get(id("a"), t0 + 61s).has_value());
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
    CHECK(cache.get(id("c"), t0 + 75s).has_value());
    CHECK(cache.sweep_expired(t0 + 75s) == 0);
    CHECK(cache.sweep_expired(t0 + 80s) == 1);
    CHECK(cache.size() == 0);
}

TEST_CASE("ResultCache: a re-put replaces the record, keeps one entry and restarts its ttl") {
    ResultCache cache(10, 60s);
    cache.put(record("a", TaskState::running, ""), t0);
    cache.put(record("a", TaskState::success, "\"done\""), t0 + 50s);

    CHECK(cache.size() == 1);
    const auto found = cache.get(id("a"), t0 + 100s);
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
    CHECK(cache.get(id("a"), now + std::chrono::hours(24 * 365)).has_value());
}

// A record of `id` whose charge is exactly `charge_bytes` (for charges above
// the fixed part of record(id)): the result makes up the difference.
TaskRecord record_of_charge(const std::string& name, std::size_t charge_bytes) {
    const std::size_t fixed = ResultCache::charge_bytes(record(name, TaskState::success, ""));
    REQUIRE(charge_bytes >= fixed);
    return record(name, TaskState::success, std::string(charge_bytes - fixed, 'r'));
}

// Puts a record of `charge_bytes` under each id, in order.
void put_each(ResultCache& cache, std::initializer_list<const char*> ids,
              std::size_t charge_bytes) {
    for (const char* id : ids) cache.put(record_of_charge(id, charge_bytes), t0);
}

TEST_CASE("ResultCache: a record is charged its strings' bytes plus a fixed overhead") {
    TaskRecord r = record("0f8e3a52-6c1d-4b7e-9a10-5d2c8f4e7b31", TaskState::failure, "");
    r.result = std::string(1000, 'x');
    r.error = "boom";
    // 1000 result + 4 error + 36 id + 3 "add" + 13 "control-plane".
    CHECK(ResultCache::charge_bytes(r) == 1056 + ResultCache::kEntryOverheadBytes);

    ResultCache cache(10, 60s, 1 << 20);
    CHECK(cache.size_bytes() == 0);
    cache.put(r, t0);
    CHECK(cache.size_bytes() == ResultCache::charge_bytes(r));
}

TEST_CASE(
    "ResultCache: evicts the least recently used records when the bytes would exceed the limit") {
    ResultCache cache(100, 60s, 3000);
    put_each(cache, {"a", "b", "c"}, 1000);
    CHECK(cache.size() == 3);
    CHECK(cache.size_bytes() == 3000);  // exactly at the limit is within it

    cache.put(record_of_charge("d", 1000), t0);
    CHECK(cache.size() == 3);
    CHECK(cache.size_bytes() == 3000);
    CHECK_FALSE(cache.contains(id("a"), t0));
    CHECK(cache.contains(id("b"), t0));
    CHECK(cache.contains(id("c"), t0));
    CHECK(cache.contains(id("d"), t0));
}

TEST_CASE("ResultCache: at the byte limit a read saves a record from eviction") {
    ResultCache cache(100, 60s, 3000);
    put_each(cache, {"a", "b", "c"}, 1000);
    REQUIRE(cache.get(id("a"), t0).has_value());  // now b is the least recently used

    cache.put(record_of_charge("d", 1000), t0);
    CHECK_FALSE(cache.contains(id("b"), t0));
    CHECK(cache.contains(id("a"), t0));
    CHECK(cache.contains(id("c"), t0));
    CHECK(cache.contains(id("d"), t0));
}

TEST_CASE("ResultCache: one large record evicts as many small ones as it needs, oldest first") {
    ResultCache cache(100, 60s, 4000);
    put_each(cache, {"a", "b", "c", "d"}, 1000);
    REQUIRE(cache.size_bytes() == 4000);

    cache.put(record_of_charge("big", 2500), t0);
    CHECK(cache.size() == 2);
    CHECK(cache.size_bytes() == 3500);
    CHECK_FALSE(cache.contains(id("a"), t0));
    CHECK_FALSE(cache.contains(id("b"), t0));
    CHECK_FALSE(cache.contains(id("c"), t0));
    CHECK(cache.contains(id("d"), t0));
    CHECK(cache.contains(id("big"), t0));
}

TEST_CASE("ResultCache: the entry limit still applies when the bytes are within theirs") {
    ResultCache cache(2, 60s, 1 << 20);
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    cache.put(record("c"), t0);
    CHECK(cache.size() == 2);
    CHECK_FALSE(cache.contains(id("a"), t0));
    CHECK(cache.size_bytes() ==
          ResultCache::charge_bytes(record("b")) + ResultCache::charge_bytes(record("c")));
}

TEST_CASE("ResultCache: replacing a record charges the new record instead of the old one") {
    ResultCache cache(100, 60s, 3000);
    put_each(cache, {"a", "b"}, 500);
    REQUIRE(cache.size_bytes() == 1000);

    cache.put(record_of_charge("a", 2000), t0);  // grows: 2000 + 500
    CHECK(cache.size() == 2);
    CHECK(cache.size_bytes() == 2500);
    cache.put(record_of_charge("a", 400), t0);  // shrinks: 400 + 500
    CHECK(cache.size_bytes() == 900);

    // Growing past the limit evicts others, never the record being put.
    cache.put(record_of_charge("a", 2800), t0);
    CHECK(cache.size() == 1);
    CHECK(cache.size_bytes() == 2800);
    CHECK_FALSE(cache.contains(id("b"), t0));
    const auto a = cache.get(id("a"), t0);
    REQUIRE(a.has_value());
    CHECK(ResultCache::charge_bytes(*a) == 2800);
}

TEST_CASE("ResultCache: expired records give their bytes back, whether read or swept") {
    ResultCache cache(100, 60s, 3000);
    cache.put(record_of_charge("a", 1000), t0);
    cache.put(record_of_charge("b", 1000), t0 + 30s);
    cache.put(record_of_charge("c", 1000), t0 + 30s);

    CHECK_FALSE(cache.get(id("a"), t0 + 60s).has_value());  // expired on read
    CHECK(cache.size_bytes() == 2000);
    // The freed bytes are usable: a fourth record fits without an eviction.
    cache.put(record_of_charge("d", 1000), t0 + 60s);
    CHECK(cache.size() == 3);
    CHECK(cache.contains(id("b"), t0 + 60s));

    CHECK(cache.sweep_expired(t0 + 90s) == 2);  // b and c
    CHECK(cache.size_bytes() == 1000);
    CHECK(cache.sweep_expired(t0 + 120s) == 1);  // d
    CHECK(cache.size() == 0);
    CHECK(cache.size_bytes() == 0);
}

TEST_CASE(
    "ResultCache: a record larger than the whole byte budget is not kept and evicts nothing") {
    ResultCache cache(100, 60s, 3000);
    put_each(cache, {"a", "b"}, 1000);

    CHECK_FALSE(cache.put(record_of_charge("huge", 3001), t0));
    CHECK_FALSE(cache.contains(id("huge"), t0));
    CHECK(cache.size() == 2);
    CHECK(cache.size_bytes() == 2000);
    CHECK(cache.contains(id("a"), t0));
    CHECK(cache.contains(id("b"), t0));

    // Exactly the budget is kept, alone.
    CHECK(cache.put(record_of_charge("whole", 3000), t0));
    CHECK(cache.size() == 1);
    CHECK(cache.contains(id("whole"), t0));
}

TEST_CASE("ResultCache: an oversized replacement drops the record it would have replaced") {
    ResultCache cache(100, 60s, 3000);
    put_each(cache, {"a", "b"}, 1000);

    CHECK_FALSE(cache.put(record_of_charge("a", 5000), t0));
    CHECK_FALSE(cache.get(id("a"), t0).has_value());  // not the out-of-date record
    CHECK(cache.size() == 1);
    CHECK(cache.size_bytes() == 1000);
    CHECK(cache.contains(id("b"), t0));
}

TEST_CASE("ResultCache: a byte limit of zero means no byte limit") {
    ResultCache cache(3, 60s, 0);
    CHECK(cache.put(record_of_charge("a", 4'000'000), t0));
    CHECK(cache.put(record_of_charge("b", 4'000'000), t0));
    CHECK(cache.size() == 2);
    CHECK(cache.size_bytes() == 8'000'000);
    CHECK(cache.max_bytes() == 0);
}

TEST_CASE("ResultCache: refuses a zero size limit or a non-positive ttl") {
    CHECK_THROWS_AS(ResultCache(0, 60s), std::invalid_argument);
    CHECK_THROWS_AS(ResultCache(10, 0s), std::invalid_argument);
    CHECK_THROWS_AS(ResultCache(10, -5s), std::invalid_argument);
    const ResultCache cache(7, 90s);
    CHECK(cache.max_entries() == 7);
    CHECK(cache.ttl() == 90s);
    CHECK(cache.max_bytes() == 0);  // no byte limit unless one is given
    CHECK(ResultCache(7, 90s, 4096).max_bytes() == 4096);
}

TEST_CASE(
    "ResultCache: a result held apart is shared, charged and read back like one in the record") {
    ResultCache cache(10, 60s, 10'000);
    TrackedBytes source(std::string(2'000, 'r'));  // kept as a frame: over 1 KiB
    SharedBytes result = SharedBytes::from_frame(source.lend_as_frame());
    TaskRecord without_result = record("a", TaskState::success, "ignored");
    const std::size_t charge = ResultCache::charge_bytes(without_result, result.size());
    CHECK(charge == ResultCache::charge_bytes(record("a", TaskState::success, source.bytes)));

    REQUIRE(cache.put(without_result, std::move(result), t0));
    // The cache holds the same bytes, not a copy of them, until the record goes.
    CHECK_FALSE(source.is_released);
    CHECK(cache.size_bytes() == charge);
    auto back = cache.get(id("a"), t0);
    REQUIRE(back);
    CHECK(back->result == source.bytes);
    CHECK(back->task_name == "add");
    REQUIRE(cache.put(record("a"), t0));  // replaced
    CHECK(source.is_released);

    TrackedBytes huge(std::string(20'000, 'h'));
    CHECK_FALSE(cache.put(record("b"), SharedBytes::from_frame(huge.lend_as_frame()), t0));
    CHECK(huge.is_released);  // not kept
    CHECK_FALSE(cache.contains(id("b"), t0));
}

TEST_CASE("ResultCache: records are kept by canonical id; other text finds nothing") {
    ResultCache cache(10, 60s);
    const std::string lower = "0f8e3a52-6c1d-4b7e-9a10-5d2c8f4e7b31";
    std::string upper = lower;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    TaskRecord not_canonical = record(lower);
    not_canonical.task_id = upper;
    CHECK_THROWS_AS(cache.put(not_canonical, t0), std::invalid_argument);
    CHECK(cache.size() == 0);

    REQUIRE(cache.put(record(lower), t0));
    const auto binary = TaskId::parse(lower);
    REQUIRE(binary.has_value());
    CHECK(cache.contains(*binary, t0));
    REQUIRE(cache.get(*binary, t0).has_value());
    CHECK(cache.get(*binary, t0)->task_id == lower);
    CHECK(cache.get(lower, t0).has_value());
    // The same id in upper case is not its canonical form; other text is no id.
    CHECK_FALSE(cache.get(upper, t0).has_value());
    CHECK_FALSE(cache.contains(upper, t0));
    CHECK_FALSE(cache.contains("a", t0));
    CHECK_FALSE(cache.get("", t0).has_value());
}

TEST_CASE("ResultCache: the drop hook names every record that leaves, however it leaves") {
    ResultCache cache(2, 60s);
    std::vector<std::string> dropped;
    cache.set_drop_hook([&](const TaskId& task_id) { dropped.push_back(task_id.to_string()); });
    cache.put(record("a"), t0);
    cache.put(record("b"), t0);
    CHECK(dropped.empty());
    cache.put(record("c"), t0);  // evicts a
    CHECK(dropped == std::vector<std::string>{id("a")});
    cache.put(record("c", TaskState::failure, ""), t0);  // replaces c
    CHECK(dropped == std::vector<std::string>{id("a"), id("c")});
    CHECK(cache.sweep_expired(t0 + 61s) == 2);  // b and the new c expire
    CHECK(dropped.size() == 4);
    CHECK(dropped[2] != dropped[3]);
}

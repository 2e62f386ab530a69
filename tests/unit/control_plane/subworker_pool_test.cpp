// subworker_pool_test.cpp -- the control plane's choice of subworker: least
// load relative to capacity, round-robin among equals, only subworkers that
// can run the task and have room, none that are leaving or inactive.
#include "control_plane/subworker_pool.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace fastqueue;

namespace {

protocol::Register registration(const std::string& id, std::uint32_t capacity,
                                std::uint32_t prefetch, std::vector<std::string> tasks = {"echo"}) {
    protocol::Register message;
    message.worker_id = id;
    message.address = "tcp://127.0.0.1:6000";
    message.capacity = capacity;
    message.prefetch = prefetch;
    message.task_names = std::move(tasks);
    return message;
}

SubworkerEntry& add(SubworkerPool& pool, protocol::Register message) {
    return pool.upsert(std::move(message), zmq::message_t(), SubworkerPool::SteadyClock::now());
}

}  // namespace

TEST_CASE("SubworkerPool: picks the subworker with the lowest load relative to capacity") {
    SubworkerPool pool;
    auto& small = add(pool, registration("small", 1, 4));
    auto& large = add(pool, registration("large", 4, 4));
    pool.assign(small, "t1");  // small: 1/1
    pool.assign(large, "t2");  // large: 1/4
    CHECK(pool.pick("echo") == &large);
    pool.assign(large, "t3");
    pool.assign(large, "t4");
    pool.assign(large, "t5");  // large: 4/4 == small 1/1; large was used last
    CHECK(pool.pick("echo") == &small);
}

TEST_CASE("SubworkerPool: equal loads take turns") {
    SubworkerPool pool;
    add(pool, registration("a", 2, 10));
    add(pool, registration("b", 2, 10));
    add(pool, registration("c", 2, 10));
    std::map<std::string, int> dispatches;
    for (int i = 0; i < 9; ++i) {
        SubworkerEntry* target = pool.pick("echo");
        REQUIRE(target != nullptr);
        pool.assign(*target, "task-" + std::to_string(i));
        ++dispatches[target->worker_id];
    }
    CHECK(dispatches["a"] == 3);
    CHECK(dispatches["b"] == 3);
    CHECK(dispatches["c"] == 3);
}

TEST_CASE("SubworkerPool: holds at most capacity plus prefetch tasks on a subworker") {
    SubworkerPool pool;
    auto& only = add(pool, registration("only", 2, 1));
    for (int i = 0; i < 3; ++i) {
        REQUIRE(pool.pick("echo") == &only);
        pool.assign(only, "t" + std::to_string(i));
    }
    CHECK(pool.pick("echo") == nullptr);
    CHECK(pool.has_capable("echo"));  // full, not absent: the task must wait
    CHECK(pool.unassign(only, "t1"));
    CHECK(pool.pick("echo") == &only);
    CHECK_FALSE(pool.unassign(only, "t1"));  // a second answer for the same task is late
}

TEST_CASE("SubworkerPool: only subworkers that registered the task are chosen") {
    SubworkerPool pool;
    add(pool, registration("echoer", 1, 0, {"echo"}));
    auto& adder = add(pool, registration("adder", 8, 0, {"add"}));
    CHECK(pool.pick("add") == &adder);
    CHECK(pool.pick("sleep") == nullptr);
    CHECK_FALSE(pool.has_capable("sleep"));
    CHECK(pool.has_capable("add"));
}

TEST_CASE("SubworkerPool: leaving and inactive subworkers get no work and drop out of capability") {
    SubworkerPool pool;
    auto& leaving = add(pool, registration("leaving", 4, 0));
    pool.mark_leaving(leaving);
    CHECK(pool.pick("echo") == nullptr);
    CHECK_FALSE(pool.has_capable("echo"));

    auto& back = add(pool, registration("leaving", 4, 0));  // registers again
    CHECK(&back == &leaving);
    CHECK(pool.pick("echo") == &back);
    pool.mark_inactive(back);
    CHECK_FALSE(pool.has_capable("echo"));
    // Still listed: its tasks are known, and wait for it (or another) to register.
    CHECK(pool.is_offered("echo"));
    CHECK_FALSE(pool.is_offered("sleep"));
    CHECK(pool.status().active_subworkers == 0);
    CHECK(pool.status().total_subworkers == 1);
}

TEST_CASE("SubworkerPool: take_in_flight returns and clears a lost subworker's tasks") {
    SubworkerPool pool;
    auto& entry = add(pool, registration("sw", 2, 2));
    pool.assign(entry, "x");
    pool.assign(entry, "y");
    auto taken = pool.take_in_flight(entry);
    CHECK(taken.size() == 2);
    CHECK(entry.in_flight == 0);
    CHECK_FALSE(pool.unassign(entry, "x"));
}

TEST_CASE("SubworkerPool: holding_changes counts a subworker starting and stopping holding tasks") {
    // The control plane collects its poll items again only when this moves.
    SubworkerPool pool;
    auto& a = add(pool, registration("a", 2, 2));
    auto& b = add(pool, registration("b", 2, 2));
    const auto changes = [&] { return pool.holding_changes(); };
    CHECK(changes() == 0);
    pool.assign(a, "x");
    CHECK(changes() == 1);  // a holds a task now
    pool.assign(a, "y");
    pool.unassign(a, "x");
    CHECK(changes() == 1);  // a still holds one
    CHECK_FALSE(pool.unassign(b, "x"));
    CHECK(changes() == 1);  // a late answer changes nothing
    pool.assign(b, "z");
    CHECK(changes() == 2);
    pool.unassign(a, "y");
    CHECK(changes() == 3);  // a holds none
    (void)pool.take_in_flight(b);
    CHECK(changes() == 4);  // b lost its tasks
    (void)pool.take_in_flight(b);
    CHECK(changes() == 4);
}

TEST_CASE("SubworkerPool: silent_since finds active subworkers not heard from in time") {
    SubworkerPool pool;
    const auto start = SubworkerPool::SteadyClock::now();
    auto& quiet = pool.upsert(registration("quiet", 1, 0), zmq::message_t(), start);
    auto& chatty = pool.upsert(registration("chatty", 1, 0), zmq::message_t(), start);
    pool.mark_heard(chatty, start + std::chrono::seconds(2));
    auto silent = pool.silent_since(start + std::chrono::seconds(3), std::chrono::seconds(2));
    REQUIRE(silent.size() == 1);
    CHECK(silent[0] == &quiet);
}

TEST_CASE("SubworkerPool: status reports each subworker in the documented shape") {
    SubworkerPool pool;
    auto& entry = add(pool, registration("sw1", 4, 0));
    pool.assign(entry, "t");
    const auto status = pool.status();
    CHECK(status.total_subworkers == 1);
    CHECK(status.active_subworkers == 1);
    const auto& info = status.subworkers.at("sw1");
    CHECK(info.address == "tcp://127.0.0.1:6000");
    CHECK(info.is_active);
    CHECK(info.load == 1);
    CHECK(info.capacity == 4);
    CHECK(info.prefetch_window == std::optional<std::uint32_t>(0));  // registered prefetch 0
    CHECK(info.last_seen != Timestamp{});

    auto& prefetching = add(pool, registration("sw2", 2, 64));
    const Timestamp start = Clock::now();
    pool.record_run_time(prefetching, start, start + std::chrono::milliseconds(1));
    CHECK(pool.status().subworkers.at("sw2").prefetch_window.value_or(0) == 20);
}

TEST_CASE(
    "SubworkerPool: with mixed task sets, the least loaded capable subworker wins across them") {
    SubworkerPool pool;
    auto& both = add(pool, registration("both", 2, 0, {"echo", "resize"}));
    auto& echo_only = add(pool, registration("echo-only", 2, 0, {"echo"}));
    auto& resize_only = add(pool, registration("resize-only", 2, 0, {"resize"}));
    // Many idle subworkers that cannot run either task sort first by load;
    // they must neither be chosen nor hide the capable ones.
    for (int i = 0; i < 20; ++i)
        add(pool, registration("other-" + std::to_string(i), 2, 0, {"other"}));

    pool.assign(echo_only, "t1");  // echo-only 1/2; both 0/2
    CHECK(pool.pick("echo") == &both);
    pool.assign(both, "t2");
    pool.assign(both, "t3");  // both 2/2: full
    CHECK(pool.pick("echo") == &echo_only);
    CHECK(pool.pick("resize") == &resize_only);
    pool.assign(echo_only, "t4");  // echo-only full too
    CHECK(pool.pick("echo") == nullptr);
    CHECK(pool.unassign(both, "t2"));
    CHECK(pool.pick("echo") == &both);
    CHECK(pool.pick("missing") == nullptr);
    CHECK(pool.active_count() == 23);
}

TEST_CASE(
    "SubworkerPool: a subworker that registers again with other tasks is chosen for those only") {
    SubworkerPool pool;
    add(pool, registration("a", 2, 0, {"echo"}));
    CHECK(pool.pick("echo") != nullptr);
    auto& again = add(pool, registration("a", 2, 0, {"resize"}));
    CHECK(pool.pick("echo") == nullptr);
    CHECK_FALSE(pool.has_capable("echo"));
    CHECK(pool.pick("resize") == &again);
    CHECK(pool.active_count() == 1);
}

TEST_CASE(
    "SubworkerPool: a heartbeat's task process restarts are kept and listed; growth is reported") {
    SubworkerPool pool;
    auto& entry = add(pool, registration("sw1", 2, 0));
    const auto now = SubworkerPool::SteadyClock::now();
    CHECK(pool.status().subworkers.at("sw1").task_process_restarts ==
          std::optional<std::uint64_t>(0));

    CHECK(pool.note_heartbeat(entry, protocol::Heartbeat{"sw1", 1, 2}, now) == 2);
    CHECK(entry.reported_load == 1);
    CHECK(pool.status().subworkers.at("sw1").task_process_restarts ==
          std::optional<std::uint64_t>(2));
    // The same count again is nothing new.
    CHECK(pool.note_heartbeat(entry, protocol::Heartbeat{"sw1", 0, 2}, now) == 0);
    CHECK(pool.note_heartbeat(entry, protocol::Heartbeat{"sw1", 0, 5}, now) == 3);
    CHECK(pool.status().subworkers.at("sw1").task_process_restarts ==
          std::optional<std::uint64_t>(5));

    // Registering again keeps the count until the next heartbeat says.
    add(pool, registration("sw1", 2, 0));
    CHECK(pool.status().subworkers.at("sw1").task_process_restarts ==
          std::optional<std::uint64_t>(5));
    // A restarted subworker counts from 0 again.
    CHECK(pool.note_heartbeat(entry, protocol::Heartbeat{"sw1", 0, 0}, now) == 0);
    CHECK(pool.status().subworkers.at("sw1").task_process_restarts ==
          std::optional<std::uint64_t>(0));
    // A subworker that predates the frame sends none: 0.
    pool.note_heartbeat(entry, protocol::Heartbeat{"sw1", 0, 4}, now);
    CHECK(pool.note_heartbeat(entry, protocol::Heartbeat{"sw1", 0, std::nullopt}, now) == 0);
    CHECK(pool.status().subworkers.at("sw1").task_process_restarts ==
          std::optional<std::uint64_t>(0));
}

TEST_CASE("prefetch_window: enough tasks for the budget, at least 1, at most the prefetch") {
    using std::chrono::microseconds;
    using std::chrono::milliseconds;
    // Unknown run time: the initial window, never above what was registered.
    CHECK(prefetch_window(2, 64, std::nullopt) == kInitialPrefetchWindow);
    CHECK(prefetch_window(2, 1, std::nullopt) == 1);
    // 2 handlers x 10 ms of budget / 1 ms per task = 20 tasks.
    CHECK(prefetch_window(2, 64, milliseconds(1)) == 20);
    // Rounded up: 1 x 10 ms / 3 ms = 3.33 -> 4.
    CHECK(prefetch_window(1, 64, milliseconds(3)) == 4);
    // Short tasks: capped by the registered prefetch.
    CHECK(prefetch_window(2, 64, microseconds(10)) == 64);
    CHECK(prefetch_window(2, 64, std::chrono::nanoseconds(0)) == 64);
    // Long tasks: one waits, so that a handler never idles for a round trip.
    CHECK(prefetch_window(4, 64, std::chrono::seconds(5)) == 1);
    // A prefetch of 0 is always 0.
    CHECK(prefetch_window(2, 0, std::nullopt) == 0);
    CHECK(prefetch_window(2, 0, microseconds(1)) == 0);
}

TEST_CASE("SubworkerPool: the window follows the subworker's run times") {
    using std::chrono::milliseconds;
    const Timestamp start = Clock::now();
    SubworkerPool pool;
    auto& only = add(pool, registration("only", 1, 64));
    CHECK(only.window == kInitialPrefetchWindow);

    // Long tasks: capacity 1 + window 1.
    pool.record_run_time(only, start, start + milliseconds(500));
    CHECK(only.window == 1);
    for (int i = 0; i < 2; ++i) {
        REQUIRE(pool.pick("echo") == &only);
        pool.assign(only, "long" + std::to_string(i));
    }
    CHECK(pool.pick("echo") == nullptr);

    // The mix turns short: the mean follows within a few dozen results and
    // the window opens up to the registered prefetch.
    for (int i = 0; i < 100; ++i) {
        pool.record_run_time(only, start, start + std::chrono::microseconds(20));
    }
    CHECK(only.window == 64);
    CHECK(pool.pick("echo") == &only);

    // Times that say nothing change nothing: an end before the start (a
    // stepped clock), or either one unset.
    const auto before = only.mean_run_time;
    pool.record_run_time(only, start, start - milliseconds(5));
    pool.record_run_time(only, Timestamp{}, start);
    pool.record_run_time(only, start, Timestamp{});
    CHECK(only.mean_run_time == before);

    // Registering again (a restarted process) forgets what was measured.
    add(pool, registration("only", 1, 64));
    CHECK_FALSE(only.mean_run_time.has_value());
    CHECK(only.window == kInitialPrefetchWindow);
}

TEST_CASE("SubworkerPool: a run time from the ends of the timestamp range counts as the cap") {
    // Both are valid protocol timestamps; their difference does not fit in
    // a signed 64-bit count of nanoseconds.
    const Timestamp earliest = *parse_timestamp("1700-01-01T00:00:00.000000Z");
    const Timestamp latest = *parse_timestamp("2250-01-01T00:00:00.000000Z");
    SubworkerPool pool;
    auto& only = add(pool, registration("only", 2, 64));
    pool.record_run_time(only, earliest, latest);
    REQUIRE(only.mean_run_time.has_value());
    CHECK(*only.mean_run_time == kMaxCountedRunTime);
    CHECK(only.window == 1);
}

TEST_CASE("SubworkerPool: beyond capacity, a subworker holding large payloads gets no more tasks") {
    constexpr std::size_t kMiB = std::size_t{1} << 20;
    SubworkerPool pool;
    auto& only = add(pool, registration("only", 2, 64));  // window 2 until results come

    // Its handler threads are always offered work, whatever the bytes.
    pool.assign(only, "big1", 10 * kMiB);
    REQUIRE(pool.pick("echo") == &only);
    pool.assign(only, "big2", 10 * kMiB);
    // Both handlers busy and 20 MiB held: the window has room, the budget not.
    CHECK(only.payload_bytes_in_flight == 20 * kMiB);
    CHECK(pool.pick("echo") == nullptr);
    CHECK(pool.has_capable("echo"));

    // One ends: 10 MiB held, under the budget, so a task may wait there again.
    CHECK(pool.unassign(only, "big1"));
    CHECK(only.payload_bytes_in_flight == 10 * kMiB);
    pool.assign(only, "big3", 10 * kMiB);  // a free handler
    CHECK(pool.pick("echo") == nullptr);   // 20 MiB again

    // A lost subworker's tasks are taken back with their bytes.
    CHECK(pool.take_in_flight(only).size() == 2);
    CHECK(only.payload_bytes_in_flight == 0);
    CHECK(pool.pick("echo") == &only);
}

TEST_CASE("SubworkerPool: small payloads are limited by the window alone") {
    SubworkerPool pool;
    auto& only = add(pool, registration("only", 1, 64));
    for (int i = 0; i < 3; ++i) {  // capacity 1 + initial window 2
        REQUIRE(pool.pick("echo") == &only);
        pool.assign(only, "t" + std::to_string(i), 1024);
    }
    CHECK(pool.pick("echo") == nullptr);
    CHECK(only.payload_bytes_in_flight == 3 * 1024);
}

TEST_CASE("SubworkerPool: the inactive entry silent longest is found first") {
    SubworkerPool pool;
    const auto start = SubworkerPool::SteadyClock::now();
    auto at = [&](int seconds) { return start + std::chrono::seconds(seconds); };
    auto& a = pool.upsert(registration("a", 1, 0), zmq::message_t(), at(0));
    auto& b = pool.upsert(registration("b", 1, 0), zmq::message_t(), at(1));
    auto& c = pool.upsert(registration("c", 1, 0), zmq::message_t(), at(2));
    CHECK(pool.longest_silent_inactive() == nullptr);  // all active
    pool.mark_inactive(c);
    pool.mark_inactive(a);
    CHECK(pool.longest_silent_inactive() == &a);
    // An inactive entry that is heard from (a late reply) is silent since then.
    pool.mark_heard(a, at(3));
    CHECK(pool.longest_silent_inactive() == &c);
    // Registering again makes it active.
    pool.upsert(registration("c", 1, 0), zmq::message_t(), at(4));
    CHECK(pool.longest_silent_inactive() == &a);
    pool.mark_inactive(b);
    CHECK(pool.longest_silent_inactive() == &b);

    CHECK(pool.inactive_silent_since(at(5), std::chrono::seconds(10)).empty());
    CHECK(pool.inactive_silent_since(at(5), std::chrono::seconds(3)) ==
          std::vector<std::string>{"b"});
    CHECK(pool.inactive_silent_since(at(5), std::chrono::milliseconds(1500)) ==
          std::vector<std::string>{"b", "a"});
}

TEST_CASE("SubworkerPool: remove forgets the entry and everything kept for it") {
    SubworkerPool pool;
    const auto now = SubworkerPool::SteadyClock::now();
    auto& solo = add(pool, registration("solo", 2, 0, {"only_solo", "shared"}));
    add(pool, registration("other", 2, 0, {"shared"}));
    CHECK(pool.size() == 2);
    CHECK(pool.capability_class_count() == 2);
    pool.mark_inactive(solo);
    pool.remove("solo");
    CHECK(pool.size() == 1);
    CHECK(pool.find("solo") == nullptr);
    CHECK(pool.longest_silent_inactive() == nullptr);
    CHECK(pool.inactive_silent_since(now + std::chrono::hours(1), std::chrono::seconds(0)).empty());
    CHECK_FALSE(pool.has_capable("only_solo"));
    CHECK_FALSE(pool.is_offered("only_solo"));
    CHECK(pool.is_offered("shared"));
    CHECK(pool.pick("only_solo") == nullptr);
    CHECK(pool.capability_class_count() == 1);  // its task set went with it
    CHECK(pool.status().total_subworkers == 1);
    CHECK(pool.status().subworkers.count("solo") == 0);

    // An active entry removed takes its capability with it too.
    pool.remove("other");
    CHECK_FALSE(pool.has_capable("shared"));
    CHECK(pool.active_count() == 0);
    CHECK(pool.capability_class_count() == 0);
    pool.remove("never-registered");  // no effect
    CHECK(pool.size() == 0);
}

TEST_CASE("SubworkerPool: capability classes do not accumulate as subworkers come and go") {
    SubworkerPool pool;
    // A thousand subworkers, each with a task set of its own, one at a time.
    for (int i = 0; i < 1000; ++i) {
        const std::string id = "sw" + std::to_string(i);
        auto& entry = add(pool, registration(id, 1, 0, {"task" + std::to_string(i), "common"}));
        CHECK(pool.pick("common") == &entry);
        pool.mark_inactive(entry);
        pool.remove(id);
    }
    CHECK(pool.capability_class_count() == 0);
    // The index of a removed class is used again, and dispatch still works.
    auto& a = add(pool, registration("a", 1, 0, {"x"}));
    auto& b = add(pool, registration("b", 1, 0, {"y"}));
    CHECK(pool.pick("x") == &a);
    CHECK(pool.pick("y") == &b);
    CHECK(pool.capability_class_count() == 2);
    // Registering again with another task set gives up the old class.
    add(pool, registration("a", 1, 0, {"y"}));
    CHECK(pool.capability_class_count() == 1);
    CHECK(pool.pick("x") == nullptr);
    CHECK(pool.has_capable("y"));
}

TEST_CASE("SubworkerPool: task_list_bytes charges each entry's task names until it is removed") {
    SubworkerPool pool;
    CHECK(task_list_charge({}) == 0);
    CHECK(task_list_charge({"ab", "cde"}) == 5 + 2 * kTaskNameOverheadBytes);

    add(pool, registration("a", 1, 0, {"ab", "cde"}));
    add(pool, registration("b", 1, 0, {"x"}));
    CHECK(pool.task_list_bytes() == task_list_charge({"ab", "cde"}) + task_list_charge({"x"}));
    CHECK(pool.find("a")->task_list_bytes == task_list_charge({"ab", "cde"}));

    // Registering again replaces the charge; it does not add to it.
    add(pool, registration("a", 1, 0, {"longer_name"}));
    CHECK(pool.task_list_bytes() == task_list_charge({"longer_name"}) + task_list_charge({"x"}));

    pool.remove("a");
    CHECK(pool.task_list_bytes() == task_list_charge({"x"}));
    pool.remove("b");
    CHECK(pool.task_list_bytes() == 0);
}

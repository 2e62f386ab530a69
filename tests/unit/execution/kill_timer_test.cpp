// kill_timer_test.cpp -- KillTimer (runtime/execution/kill_timer.cpp): an
// armed action runs once its deadline has passed, actions run in deadline
// order, a disarmed one never runs, and destruction runs none of those
// still pending. Deadlines here are only upper bounds on how long a test
// waits; nothing asserts how fast an action ran.
#include "execution/kill_timer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

constexpr auto kTimerTestDeadline = 10s;  // far beyond any healthy wait here

// What the timer's actions did, in the order they did it.
class ActionLog {
public:
    std::function<void()> record(std::string name) {
        return [this, name = std::move(name)] {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                entries_.push_back({name, KillTimer::SteadyClock::now()});
            }
            changed_.notify_all();
        };
    }
    // Waits until `count` actions ran; false at the deadline.
    bool wait_for(std::size_t count) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, kTimerTestDeadline,
                                 [&] { return entries_.size() >= count; });
    }
    std::vector<std::string> names() {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<std::string> result;
        for (const auto& entry : entries_) result.push_back(entry.name);
        return result;
    }
    KillTimer::SteadyClock::time_point ran_at(std::size_t index) {
        std::lock_guard<std::mutex> lock(mutex_);
        return entries_.at(index).ran_at;
    }

private:
    struct Entry {
        std::string name;
        KillTimer::SteadyClock::time_point ran_at;
    };
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Entry> entries_;  // guarded by mutex_
};

// Gives a new timer's thread time to start and wait for work, so that the
// next arm() has to wake it. Not a wait for a result: nothing is asserted
// about time, and the tests pass without it when the timer is correct; it
// only makes a lost wake-up show instead of being hidden by the thread
// starting after the arm.
void let_timer_thread_wait() { std::this_thread::sleep_for(50ms); }

TEST_CASE("KillTimer: an action armed on a timer waiting for work runs") {
    ActionLog log;
    KillTimer timer;
    let_timer_thread_wait();
    timer.arm(KillTimer::SteadyClock::now(), log.record("kill"));
    REQUIRE(log.wait_for(1));
    CHECK(log.names() == std::vector<std::string>{"kill"});
}

TEST_CASE("KillTimer: an armed action runs once, not before its deadline") {
    ActionLog log;
    KillTimer timer;
    const auto deadline = KillTimer::SteadyClock::now() + 50ms;
    const std::uint64_t handle = timer.arm(deadline, log.record("kill"));
    CHECK(handle != 0);
    REQUIRE(log.wait_for(1));
    CHECK(log.ran_at(0) >= deadline);
    // A later action shows that the first did not run twice meanwhile.
    timer.arm(KillTimer::SteadyClock::now() + 20ms, log.record("later"));
    REQUIRE(log.wait_for(2));
    CHECK(log.names() == std::vector<std::string>{"kill", "later"});
}

TEST_CASE("KillTimer: actions run in deadline order, whatever the order they were armed in") {
    ActionLog log;
    KillTimer timer;
    const auto now = KillTimer::SteadyClock::now();
    timer.arm(now + 150ms, log.record("third"));
    timer.arm(now + 50ms, log.record("first"));
    timer.arm(now + 100ms, log.record("second"));
    REQUIRE(log.wait_for(3));
    CHECK(log.names() == std::vector<std::string>{"first", "second", "third"});
}

TEST_CASE("KillTimer: an action whose deadline has passed runs at once") {
    ActionLog log;
    KillTimer timer;
    timer.arm(KillTimer::SteadyClock::now() - 1s, log.record("overdue"));
    REQUIRE(log.wait_for(1));
    CHECK(log.names() == std::vector<std::string>{"overdue"});
}

TEST_CASE(
    "KillTimer: an earlier deadline armed while the thread waits for a later one runs first") {
    ActionLog log;
    KillTimer timer;
    timer.arm(KillTimer::SteadyClock::now() + 1h, log.record("late"));
    // The thread now waits for the late one; the early one must wake it.
    let_timer_thread_wait();
    timer.arm(KillTimer::SteadyClock::now() + 20ms, log.record("early"));
    REQUIRE(log.wait_for(1));
    CHECK(log.names() == std::vector<std::string>{"early"});
}

TEST_CASE("KillTimer: a disarmed action never runs; the others still do") {
    ActionLog log;
    KillTimer timer;
    const auto now = KillTimer::SteadyClock::now();
    const std::uint64_t disarmed = timer.arm(now + 50ms, log.record("disarmed"));
    const std::uint64_t kept = timer.arm(now + 100ms, log.record("kept"));
    CHECK(kept != disarmed);
    timer.disarm(disarmed);
    REQUIRE(log.wait_for(1));
    // "kept" is due after "disarmed" was: had it run, it would be first.
    CHECK(log.names() == std::vector<std::string>{"kept"});
    // Disarming what already ran, or a handle never given, changes nothing.
    timer.disarm(kept);
    timer.disarm(disarmed);
    timer.disarm(12345);
    timer.arm(KillTimer::SteadyClock::now(), log.record("after"));
    REQUIRE(log.wait_for(2));
    CHECK(log.names() == std::vector<std::string>{"kept", "after"});
}

TEST_CASE("KillTimer: destruction runs none of the actions still pending") {
    ActionLog log;
    {
        KillTimer timer;
        timer.arm(KillTimer::SteadyClock::now() + 1h, log.record("pending"));
        timer.arm(KillTimer::SteadyClock::now() + 10s, log.record("also pending"));
    }
    // The timer's thread is joined: nothing can run from here on.
    CHECK(log.names().empty());
}

TEST_CASE("KillTimer: many actions armed from several threads each run once") {
    ActionLog log;
    KillTimer timer;
    constexpr int kThreads = 4;
    constexpr int kPerThread = 25;
    std::vector<std::thread> armers;
    for (int t = 0; t < kThreads; ++t) {
        armers.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                timer.arm(KillTimer::SteadyClock::now() + std::chrono::milliseconds(i % 7),
                          log.record(std::to_string(t) + "." + std::to_string(i)));
            }
        });
    }
    for (auto& armer : armers) armer.join();
    REQUIRE(log.wait_for(kThreads * kPerThread));
    auto names = log.names();
    std::sort(names.begin(), names.end());
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    CHECK(names.size() == kThreads * kPerThread);
}

}  // namespace

// kill_timer_test.cpp -- KillTimer: an armed action runs at its deadline on
// the timer's thread, whether it is the first the timer holds or comes
// before or after others; a disarmed action never runs.
#include "execution/kill_timer.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

using TimerClock = KillTimer::SteadyClock;

// Polls until `flag` is set or `timeout` passes; returns whether it was.
bool wait_for_flag(const std::atomic<bool>& flag, std::chrono::milliseconds timeout) {
    const auto deadline = TimerClock::now() + timeout;
    while (!flag.load()) {
        if (TimerClock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

}  // namespace

TEST_CASE("KillTimer: runs each action armed on an idle timer at its deadline") {
    KillTimer timer;
    // After the first action has run, the timer's thread waits with nothing
    // to do; each later arm() must wake it.
    for (int i = 0; i < 3; ++i) {
        INFO("action " << i);
        std::atomic<bool> has_run{false};
        timer.arm(TimerClock::now() + 20ms, [&] { has_run = true; });
        REQUIRE(wait_for_flag(has_run, 10s));
    }
}

TEST_CASE("KillTimer: an earlier deadline armed after a later one runs first") {
    KillTimer timer;
    std::atomic<bool> late_has_run{false};
    std::atomic<bool> early_has_run{false};
    timer.arm(TimerClock::now() + 1h, [&] { late_has_run = true; });
    timer.arm(TimerClock::now() + 20ms, [&] { early_has_run = true; });
    CHECK(wait_for_flag(early_has_run, 10s));
    CHECK_FALSE(late_has_run.load());
}

TEST_CASE("KillTimer: a disarmed action never runs; the next one still does") {
    KillTimer timer;
    std::atomic<bool> disarmed_has_run{false};
    std::atomic<bool> next_has_run{false};
    const auto handle = timer.arm(TimerClock::now() + 20ms, [&] { disarmed_has_run = true; });
    timer.disarm(handle);
    timer.arm(TimerClock::now() + 40ms, [&] { next_has_run = true; });
    CHECK(wait_for_flag(next_has_run, 10s));
    CHECK_FALSE(disarmed_has_run.load());
}

// timer_list_test.cpp -- the control plane's periodic actions: the earliest
// deadline bounds the wait, due actions come out earliest first, an action
// is in the list once, and an ignored action neither bounds the wait nor
// comes out.
#include "control_plane/timer_list.hpp"

#include <doctest/doctest.h>

#include <chrono>

namespace fastqueue {
namespace {

using namespace std::chrono_literals;

enum class Action { sweep, heartbeat, idle_poll };

TEST_CASE("TimerList: earliest deadline, due actions in order, one entry per action") {
    TimerList<Action> timers;
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(timers.earliest());

    timers.set(Action::sweep, start + 60s);
    timers.set(Action::heartbeat, start + 1s);
    timers.set(Action::idle_poll, start + 100ms);
    CHECK(timers.earliest() == start + 100ms);
    CHECK(timers.earliest(Action::idle_poll) == start + 1s);
    CHECK(timers.is_due(Action::idle_poll, start + 100ms));
    CHECK_FALSE(timers.is_due(Action::heartbeat, start + 100ms));

    // Setting again replaces the deadline.
    timers.set(Action::idle_poll, start + 2s);
    CHECK(timers.earliest() == start + 1s);

    // Due at start + 3 s: heartbeat, then the idle poll; the sweep is not due.
    CHECK(timers.take_due(start + 3s) == Action::heartbeat);
    CHECK(timers.take_due(start + 3s) == Action::idle_poll);
    CHECK_FALSE(timers.take_due(start + 3s));
    CHECK(timers.earliest() == start + 60s);
}

TEST_CASE("TimerList: an ignored action stays in the list and does not come out") {
    TimerList<Action> timers;
    const auto start = std::chrono::steady_clock::now();
    timers.set(Action::idle_poll, start);
    timers.set(Action::heartbeat, start + 1s);
    CHECK_FALSE(timers.take_due(start + 500ms, Action::idle_poll));
    CHECK(timers.is_due(Action::idle_poll, start + 500ms));
    timers.cancel(Action::idle_poll);
    CHECK_FALSE(timers.is_due(Action::idle_poll, start + 500ms));
    CHECK(timers.earliest() == start + 1s);
}

}  // namespace
}  // namespace fastqueue

// timer_list.hpp -- the control plane's periodic actions, each with the
// time it is next due: a small list kept sorted by deadline, from which the
// actor loop takes how long it may wait and which actions are due.
//
// Action is an enum; each action is in the list at most once (set()
// replaces its deadline). A handful of actions: a vector beats a tree.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

namespace fastqueue {

template <typename Action>
class TimerList {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    // Makes `action` due at `deadline` (replacing its earlier deadline).
    void set(Action action, TimePoint deadline) {
        cancel(action);
        const auto position =
            std::upper_bound(timers_.begin(), timers_.end(), deadline,
                             [](TimePoint time, const Timer& timer) { return time < timer.first; });
        timers_.insert(position, Timer{deadline, action});
    }

    // Takes `action` out of the list.
    void cancel(Action action) {
        timers_.erase(
            std::remove_if(timers_.begin(), timers_.end(),
                           [action](const Timer& timer) { return timer.second == action; }),
            timers_.end());
    }

    // True when `action` is in the list and due at `now`.
    bool is_due(Action action, TimePoint now) const {
        for (const Timer& timer : timers_) {
            if (timer.second == action) return timer.first <= now;
        }
        return false;
    }

    // The earliest deadline of any action but `ignored` (nullopt: none).
    std::optional<TimePoint> earliest(std::optional<Action> ignored = std::nullopt) const {
        for (const Timer& timer : timers_) {
            if (timer.second != ignored) return timer.first;
        }
        return std::nullopt;
    }

    // Removes and returns the earliest action due at `now`, if any; the
    // caller sets its next deadline.
    std::optional<Action> take_due(TimePoint now, std::optional<Action> ignored = std::nullopt) {
        for (auto it = timers_.begin(); it != timers_.end() && it->first <= now; ++it) {
            if (it->second == ignored) continue;
            const Action action = it->second;
            timers_.erase(it);
            return action;
        }
        return std::nullopt;
    }

private:
    using Timer = std::pair<TimePoint, Action>;
    std::vector<Timer> timers_;  // sorted by deadline
};

}  // namespace fastqueue

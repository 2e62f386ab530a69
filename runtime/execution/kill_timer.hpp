// kill_timer.hpp -- runs actions at their deadlines on one thread of its own:
// the process isolation's escalation from "please stop" to SIGKILL.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace fastqueue {

class KillTimer {
public:
    using SteadyClock = std::chrono::steady_clock;

    KillTimer();
    // Stops the thread; actions not yet due never run.
    ~KillTimer();
    KillTimer(const KillTimer&) = delete;
    KillTimer& operator=(const KillTimer&) = delete;

    // Runs `action` on the timer's thread at `when` unless disarmed first.
    // The action must not call arm() or disarm(). Returns its handle (never 0).
    std::uint64_t arm(SteadyClock::time_point when, std::function<void()> action);
    // Forgets an action not yet run; a handle already run or unknown is ignored.
    void disarm(std::uint64_t handle);

private:
    void thread_main();

    std::mutex mutex_;
    std::condition_variable changed_;
    std::multimap<SteadyClock::time_point, std::uint64_t> deadlines_;
    std::unordered_map<std::uint64_t, std::function<void()>> actions_;
    std::uint64_t last_handle_ = 0;
    bool is_stopping_ = false;
    std::thread thread_;
};

}  // namespace fastqueue

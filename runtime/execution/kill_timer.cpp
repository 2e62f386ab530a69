// kill_timer.cpp -- see kill_timer.hpp.
#include "execution/kill_timer.hpp"

#include <utility>
#include <vector>

namespace fastqueue {

KillTimer::KillTimer() : thread_([this] { thread_main(); }) {}

KillTimer::~KillTimer() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        is_stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

std::uint64_t KillTimer::arm(SteadyClock::time_point when, std::function<void()> action) {
    std::uint64_t handle = 0;
    bool is_first = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        handle = ++last_handle_;
        actions_.emplace(handle, std::move(action));
        // Two statements: begin() must be read after the insertion (the
        // operands of == are not sequenced).
        const auto at = deadlines_.emplace(when, handle);
        is_first = at == deadlines_.begin();
    }
    if (is_first) changed_.notify_all();
    return handle;
}

void KillTimer::disarm(std::uint64_t handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    actions_.erase(handle);  // its deadline is skipped when it comes up
}

void KillTimer::thread_main() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!is_stopping_) {
        if (deadlines_.empty()) {
            changed_.wait(lock);
            continue;
        }
        const auto due = deadlines_.begin()->first;
        if (SteadyClock::now() < due) {
            changed_.wait_until(lock, due);
            continue;
        }
        const std::uint64_t handle = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto it = actions_.find(handle);
        if (it == actions_.end()) continue;
        std::function<void()> action = std::move(it->second);
        actions_.erase(it);
        lock.unlock();
        action();
        lock.lock();
    }
}

}  // namespace fastqueue

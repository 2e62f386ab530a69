// outcome_collector.hpp -- what the execution tests share: a completion sink
// for an ExecutionEngine that keeps every outcome it is handed, and waits
// for them with a deadline, so that a broken engine fails a test instead of
// hanging it.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "execution/execution_engine.hpp"

namespace fastqueue::testing {

// Declare it before the engine in each test, so that it outlives the
// engine's threads.
class OutcomeCollector {
public:
    // Every wait below gives up after `deadline`.
    explicit OutcomeCollector(std::chrono::milliseconds deadline = std::chrono::seconds(10))
        : deadline_(deadline) {}

    ExecutionEngine::CompletionSink sink() {
        return [this](TaskOutcome&& outcome) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                delivered_.push_back(std::move(outcome));
            }
            changed_.notify_all();
        };
    }
    // Waits until at least count outcomes arrived; false at the deadline.
    bool wait_for(std::size_t count) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, deadline_, [&] { return delivered_.size() >= count; });
    }
    // The outcome of task_id; fails the test when it has not arrived.
    TaskOutcome of(const std::string& task_id) {
        std::unique_lock<std::mutex> lock(mutex_);
        const bool is_found = changed_.wait_for(lock, deadline_, [&] {
            for (const auto& outcome : delivered_) {
                if (outcome.task_id == task_id) return true;
            }
            return false;
        });
        REQUIRE_MESSAGE(is_found, "no outcome for " << task_id);
        for (const auto& outcome : delivered_) {
            if (outcome.task_id == task_id) return outcome;
        }
        return {};
    }
    std::size_t count() {
        std::lock_guard<std::mutex> lock(mutex_);
        return delivered_.size();
    }
    // The task ids delivered so far, in delivery order.
    std::vector<std::string> order() {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<std::string> ids;
        for (const auto& outcome : delivered_) ids.push_back(outcome.task_id);
        return ids;
    }

private:
    const std::chrono::milliseconds deadline_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<TaskOutcome> delivered_;  // guarded by mutex_
};

}  // namespace fastqueue::testing

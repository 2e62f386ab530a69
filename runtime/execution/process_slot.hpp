// process_slot.hpp -- the SlotRunner of process isolation: a handler thread
// that supervises one executor process and runs each task it takes there.
//
// A task runs in the slot's executor; the thread waits for its OUTCOME and
// relays its progress. A cancel of the task (by a client, its time limit or
// shutdown) raises the flag the executor's handler polls, and when the task
// has not ended `kill_grace` later the executor is killed. An executor that
// dies fails only the task it ran, with an error that says how it died
// (retryable: it runs again only with retries left); the slot starts a new
// one before it takes the next task, after a backoff when executors keep
// dying soon after they start.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "execution/executor_process.hpp"
#include "execution/kill_timer.hpp"
#include "execution/slot_runner.hpp"
#include "plugins/task_context.hpp"

namespace fastqueue {

class ProcessSlot final : public SlotRunner, private CancelObserver {
public:
    // An executor that dies sooner than this after it started counts
    // towards the restart backoff.
    static constexpr auto kQuickDeath = std::chrono::seconds(1);
    static constexpr auto kFirstRestartDelay = std::chrono::milliseconds(100);
    static constexpr auto kMaxRestartDelay = std::chrono::seconds(5);

    // `options`, `kill_timer` and `restarts` must outlive the slot;
    // `restarts` counts the executors the slot starts again.
    ProcessSlot(const IsolationOptions& options, KillTimer& kill_timer,
                std::atomic<std::uint64_t>& restarts);
    ~ProcessSlot();

    bool is_ready() const override { return executor_ != nullptr; }
    bool make_ready(const StopAwareWait& wait) override;
    void run(const RegisteredTask& entry, fq_task_context& context, const zmq::message_t& payload,
             TaskOutcome& outcome) override;

private:
    // How the exchange with the executor over one task ended.
    struct Exchange {
        bool has_outcome = false;
        std::string broken_because;  // set when the executor sent something invalid
    };

    void cancel_requested() noexcept override;
    Exchange exchange(fq_task_context& context, const zmq::message_t& payload,
                      TaskOutcome& outcome);
    // Kills the executor if `run` is still the task it runs (the kill timer).
    void kill_if_running(std::uint64_t run);
    // The executor is gone or broken: reaps it, fails the task with how it
    // ended, and paces the start of the next one.
    void fail_with_lost_executor(const fq_task_context& context, const Exchange& exchange,
                                 bool was_killed, TaskOutcome& outcome);
    std::string describe_memory_exhaustion(std::uint64_t run) const;

    const IsolationOptions& options_;
    KillTimer& kill_timer_;
    std::atomic<std::uint64_t>& restarts_;
    std::unique_ptr<ExecutorProcess> executor_;  // owned by the slot's thread
    std::uint64_t last_run_ = 0;
    std::chrono::steady_clock::time_point started_at_{};
    std::uint32_t quick_deaths_ = 0;    // consecutive executors that died young
    std::uint32_t start_failures_ = 0;  // consecutive executors that did not start
    std::chrono::milliseconds next_start_delay_{0};

    std::mutex mutex_;              // guards the rest: the kill timer and cancels read them
    std::uint64_t active_run_ = 0;  // 0 between tasks
    std::uint64_t kill_handle_ = 0;
    bool was_killed_ = false;
};

}  // namespace fastqueue

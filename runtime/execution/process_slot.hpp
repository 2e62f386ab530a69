// process_slot.hpp -- one handler slot of process isolation: the executor
// process a handler thread supervises, and the tasks it has sent there.
//
// The thread sends tasks (watch, transmit) and reads what the executor answers
// (receive), one event at a time. The executor runs them one at a time in
// the order sent; the first task without an outcome is the one running (the
// head). Sending a few short tasks ahead (up to depth()) lets the executor
// go from one to the next without waiting for its role: the depth follows
// how long tasks have been taking, so that long tasks are never queued
// behind each other in one executor while another slot is free.
//
// A cancel of a task (by a client, its time limit or shutdown) raises the
// flag its handler polls in memory shared with the executor; a task sent
// behind the running one when its flag rises is not run. (The one counted
// running is always run, so that its handler sees the cancel.) When the head has not
// ended `kill_grace` after its cancel, the executor is killed. An executor
// that dies fails only the head, with how it died (retryable: it runs again
// only with retries left); the tasks sent behind it never started, and are
// handed back. The thread starts a new executor before it sends more, after
// a backoff when executors keep dying soon after they start.
//
// Thread safety: everything is called on one thread at a time: the slot's
// thread, or, while that thread waits and the engine says so, the thread
// that hands it tasks (see ExecutionEngine::enable_owner_answers). Except
// cancel_requested() (through the tasks' contexts, which the engine calls
// under its mutex) and the kill timer's actions. watch()'s registration of a
// context's observer and forget_head()'s removal of it must happen under the
// engine's mutex too, so that no cancel reaches a task the slot forgot.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <zmq.hpp>

#include "common/isolation.hpp"
#include "execution/execution_engine.hpp"
#include "execution/executor_process.hpp"
#include "execution/kill_timer.hpp"
#include "plugins/task_context.hpp"

namespace fastqueue {

class ProcessSlot {
public:
    // An executor that dies sooner than this after it started counts
    // towards the restart backoff.
    static constexpr auto kQuickDeath = std::chrono::seconds(1);
    static constexpr auto kFirstRestartDelay = std::chrono::milliseconds(100);
    static constexpr auto kMaxRestartDelay = std::chrono::seconds(5);
    // Tasks sent ahead of the running one: at most kMaxDepth - 1, and only
    // as many as take about kDepthBudget to run, judged by recent tasks.
    static constexpr std::size_t kMaxDepth = 16;
    static constexpr auto kDepthBudget = std::chrono::microseconds(1000);
    // The largest payload the engine sends from its owner's thread, to an
    // idle slot (ExecutionEngine::start): it fits the channel's socket
    // buffer, so sending it never waits for the executor.
    static constexpr std::size_t kDirectSendBytes = 64 * 1024;
    // The most payload bytes sent behind the running task. The channel's
    // socket buffer holds them all, so sending them never waits for the
    // executor while it may be waiting to send a large result.
    static constexpr std::size_t kAheadBytes = 64 * 1024;

    // Waits `delay` unless the engine stops first; true when it stopped.
    using StopAwareWait = std::function<bool(std::chrono::milliseconds delay)>;

    // `options`, `kill_timer` and `restarts` must outlive the slot;
    // `restarts` counts the executors started again after one was lost.
    ProcessSlot(const IsolationOptions& options, KillTimer& kill_timer,
                std::atomic<std::uint64_t>& restarts);
    ~ProcessSlot();
    ProcessSlot(const ProcessSlot&) = delete;
    ProcessSlot& operator=(const ProcessSlot&) = delete;

    // Whether an executor is up (send() may be called).
    bool is_ready() const { return executor_ != nullptr; }
    // Starts an executor if none is up, after the backoff the last loss
    // set, retrying (with a backoff) when one fails to start. False when
    // the engine stopped first.
    bool make_ready(const StopAwareWait& wait);

    // The executor's channel, readable when it answers or ends.
    // Precondition: is_ready().
    int channel() const { return executor_->channel(); }
    // Called when the channel became readable with no task sent: the
    // executor ended (or broke) while idle. Reaps it, logs how it ended and
    // counts a restart; no task fails. Afterwards is_ready() is false.
    void end_idle_executor();

    // How many tasks may be in the executor at once now (1 and up).
    std::size_t depth() const { return depth_; }
    std::size_t in_flight() const { return in_flight_.size(); }

    // Enters a task as the next one sent, watching its context's cancels
    // (under the engine's mutex: see above). Precondition: is_ready().
    void watch(fq_task_context& context);
    // Sends a watched task to the executor, in the order watched. A send
    // that fails leaves the loss to receive().
    void transmit(const fq_task_context& context, const zmq::message_t& payload);
    // The head has started (it is the first task sent, or the one before it
    // ended): a cancel of it from now on leads to a kill after kill_grace.
    void head_started();

    struct Event {
        enum class Kind {
            progress,  // the head reported progress (fraction, message)
            outcome,   // the head ended: outcome.state/result/error/retryable
            lost,      // the executor is gone: outcome is the head's failure,
                       // and the tasks sent behind it must be handed back
        };
        Kind kind = Kind::lost;
        double fraction = 0;
        std::string message;
        TaskOutcome outcome;
    };
    // Blocks until the executor says something about the head, or is lost.
    // Precondition: in_flight() > 0.
    Event receive();

    // What has arrived on the channel, looked at without reading it or
    // waiting. `complete`: a whole, well-formed message about the head,
    // which receive() then reads without blocking. `other`: part of one, a
    // malformed one or the channel's end, which only receive() may handle
    // (it may block, and it may reap the executor). Precondition:
    // in_flight() > 0.
    enum class Arrival { nothing, complete, other };
    Arrival peek_arrival() const;
    // Forgets the head after its outcome or loss (under the engine's mutex:
    // see above). After a loss, call it once per task sent.
    void forget_head();

private:
    // A task sent to the executor; its address is stable (std::deque) while
    // it is in flight, so its context can point at it.
    struct InFlight final : CancelObserver {
        InFlight(ProcessSlot& slot_in, std::uint64_t run_in, fq_task_context& context_in)
            : slot(slot_in), run(run_in), context(context_in) {}
        void cancel_requested() noexcept override { slot.cancel_requested(run); }
        ProcessSlot& slot;
        const std::uint64_t run;
        fq_task_context& context;
    };

    void cancel_requested(std::uint64_t run) noexcept;
    // Under mutex_: arms the kill of the head `run`, unless armed.
    void arm_kill(std::uint64_t run);
    void kill_if_running(std::uint64_t run);
    Event lose_executor(std::string broken_because);
    // Forgets the reaped executor, counts a restart and sets the delay
    // before the next start; returns the restart count.
    std::uint64_t retire_executor();
    std::string describe_memory_exhaustion(std::uint64_t run) const;
    void note_run_time(std::chrono::steady_clock::duration run_time);

    const IsolationOptions& options_;
    KillTimer& kill_timer_;
    std::atomic<std::uint64_t>& restarts_;
    std::unique_ptr<ExecutorProcess> executor_;  // replaced only by the slot's thread
    std::deque<InFlight> in_flight_;             // sent, in order; front is the head
    std::uint64_t last_run_ = 0;
    std::chrono::steady_clock::time_point head_started_at_{};
    std::chrono::steady_clock::time_point executor_started_at_{};
    double average_run_us_ = 0;  // recent tasks' run time, smoothed
    std::size_t depth_ = 1;
    std::uint32_t quick_deaths_ = 0;    // consecutive executors that died young
    std::uint32_t start_failures_ = 0;  // consecutive executors that did not start
    std::chrono::milliseconds next_start_delay_{0};

    std::mutex mutex_;               // guards the rest, with cancels and the kill timer
    std::uint64_t head_run_ = 0;     // the run that may be killed; 0 when none
    std::uint64_t kill_handle_ = 0;  // the head's armed kill; 0 when none
    bool was_killed_ = false;
};

}  // namespace fastqueue

// execution_engine.hpp -- runs tasks on a fixed pool of handler threads.
//
// The engine is shared by every role: the control plane uses it to run tasks
// itself, a subworker to run what it is sent. The owner keeps its own priority
// queue and starts a task only while free_slots() > 0. Besides one task per
// handler thread, the engine holds at most `window` started tasks waiting for
// a thread, taken in priority order (oldest first within a priority), so a
// thread that finishes a task goes straight on to the next one without a
// round trip through the owner's thread. An owner keeps strict priority by
// taking a waiting task back (reclaim_waiting_below) when a more urgent one
// finds no free slot. Sockets never wait for a handler: start() returns at
// once, and the outcome is delivered through the completion sink.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "common/isolation.hpp"
#include "common/shared_bytes.hpp"
#include "fastqueue/task.hpp"

namespace fastqueue {

class TaskRegistry;

// A task handed to the engine.
struct TaskAssignment {
    std::string task_id;
    std::string task_name;
    zmq::message_t payload;  // moved in; the handler reads it in place
    // The run-time limit is `timeout` when set, else the default the task's
    // plugin registered, else `fallback_timeout`; zero means not set, and
    // a run with no limit from any of them runs as long as it takes.
    std::chrono::milliseconds timeout{0};
    std::chrono::milliseconds fallback_timeout{0};
    // Its place among the tasks waiting in the engine for a thread.
    Priority priority = Priority::normal;
};

// What the engine can tell about a task it holds.
struct RunView {
    bool has_started = false;        // false while it waits for a handler thread
    Timestamp started_at{};          // set once started
    std::optional<double> progress;  // the last progress its handler reported
};

// How a task run ended.
struct TaskOutcome {
    std::string task_id;
    TaskState state = TaskState::failure;  // success, failure or cancelled
    std::string result;  // success: the result bytes ("null" when the handler set none)
    // Success, instead of `result`: bytes already shared, not to be copied (a
    // subworker's RESULT frame, which the control plane caches and relays).
    // apply_outcome() leaves it here; its owner takes it before.
    SharedBytes shared_result;
    std::string error;       // failure/cancelled: the message
    bool retryable = false;  // failure: the handler returned FQ_ERROR_RETRYABLE
    Timestamp started_at{};
    Timestamp finished_at{};
};

// The error of a task cancelled before any handler ran it.
inline constexpr const char* kCancelledBeforeStart = "cancelled before it started";

// The outcome of a task that ends cancelled without running.
TaskOutcome cancelled_outcome(std::string task_id, std::string reason);

// The limit a run of `task` gets: see TaskAssignment.
std::chrono::milliseconds effective_timeout(const TaskAssignment& task,
                                            const TaskRegistry& registry);

// Writes how a run ended into the task's record: state, result, error,
// retryable and timings (started_at only when the outcome has one;
// finished_at now when the outcome has none), and clears scheduled_for.
// Every role that keeps records uses this.
void apply_outcome(TaskRecord& record, TaskOutcome&& outcome);

// Ends a successful outcome whose result (`result` or `shared_result`) is
// larger than max_result_bytes as failure "result of N bytes is larger than
// --max-payload-bytes (M)", not retryable, its result dropped: a result
// must fit the same frames a payload does. Other outcomes are unchanged.
// Every role calls it on every outcome before it keeps or sends the result.
void fail_oversized_result(TaskOutcome& outcome, std::size_t max_result_bytes);

class ExecutionEngine {
public:
    // Called on a handler thread exactly once per started task, after the
    // handler returned, outside every engine lock. The task's slot is already
    // free when it is called (free_slots() counts it), so an owner woken by
    // the sink can start its next task at once. Must be thread-safe and must
    // not block for long; an exception it throws is logged and dropped. It
    // may still be called while the engine's destructor runs (for tasks
    // started before), so it must not touch what the owner destroys first.
    using CompletionSink = std::function<void(TaskOutcome&&)>;

    // Starts `concurrency` handler threads (0 is taken as 1) and accepts up
    // to `window` started tasks beyond them, waiting for a thread. The
    // registry must outlive the engine. In process isolation each thread
    // starts its executor at once (a thread takes no task before its
    // executor is ready).
    ExecutionEngine(const TaskRegistry& registry, std::size_t concurrency, CompletionSink on_done,
                    std::size_t window = 0, IsolationOptions isolation = {});
    // Raises every running task's cancellation flag and joins the threads
    // (waiting for handlers to return). Tasks already started still end with
    // one outcome each, delivered to the sink before the destructor returns.
    ~ExecutionEngine();
    ExecutionEngine(const ExecutionEngine&) = delete;
    ExecutionEngine& operator=(const ExecutionEngine&) = delete;

    std::size_t concurrency() const;
    // Process isolation: waits until every slot's first executor is ready
    // (its plugins loaded), at most `timeout`; true when all are. A role that
    // advertises its capacity (a subworker registering) calls it first, so
    // that a task it is sent starts at once. Thread isolation: true at once.
    bool wait_until_ready(std::chrono::milliseconds timeout);
    Isolation isolation() const;
    // With isolation.owner_reads_answers in process isolation, the owner's
    // thread (the one that calls start()) reads what an executor answers
    // for a task start() handed straight to an idle slot, so that the
    // outcome reaches the owner without waking the slot's thread first.
    // answers_fd() becomes readable when such an answer waits; the owner
    // polls it and then calls collect_answers() on that same thread. Until
    // it does, those outcomes wait, so the owner must poll it for as long
    // as it starts tasks. -1 (nothing to poll) otherwise.
    int answers_fd() const;
    // Reads the answers that wait, delivering each outcome to the
    // completion sink on this thread. Never blocks: an answer that has not
    // wholly arrived, or an executor that ended, is left to the slot's
    // thread.
    void collect_answers();
    // Executor processes started again after one died, was killed or broke
    // its channel; 0 in thread isolation.
    std::uint64_t task_process_restarts() const;
    // Tasks start() may still take: concurrency + window minus the tasks
    // running or waiting. Accurate from the thread that calls start(); may
    // only grow concurrently (when handlers finish). A task's slot is free
    // again before its completion sink is called.
    std::size_t free_slots() const;
    // Tasks started whose outcome has not yet been delivered (the sink call
    // has not returned), or whose handler has not returned (a timed-out run
    // counts until its handler returns). 0 means every outcome has been
    // handed to the sink and no handler runs.
    // Briefly, while a sink runs, free_slots() + running() exceeds
    // concurrency(): the slot is already free, the outcome not yet delivered.
    std::size_t running() const;
    // Started tasks no handler thread has taken yet (at most the window).
    std::size_t waiting() const;
    // Handler threads blocked waiting for a task to start (none of them
    // runs one). Lets a test wait until every thread is parked.
    std::size_t idle_threads() const;

    // How long a handler whose run timed out gets to return after its
    // cancellation flag was raised before the log says it ignores it.
    static constexpr auto kCancelHonourWait = std::chrono::seconds(2);

    // Starts a task and returns at once: an idle handler thread takes it, or
    // it waits for one among the window's tasks, by priority. The payload is
    // handed to the handler in place, never copied.
    // Precondition: free_slots() > 0 and the destructor has not begun;
    // otherwise throws std::logic_error (a bug in the owner).
    // The task can be cancelled and queried from the moment start() returns.
    // An unknown task name ends as failure "unknown task 'NAME'"; a handler
    // that throws ends as failure with the exception's message; a handler
    // that returns after its cancellation flag was raised, without setting a
    // result, ends as cancelled (error: its message, or "cancelled"). A
    // handler that sets a result and returns FQ_OK succeeds even after a
    // cancel. Any other non-FQ_OK return is a failure with the handler's
    // message, or "handler returned status N" when it set none; it is
    // retryable when the status is FQ_ERROR_RETRYABLE. A success without a
    // result has the result "null". A task cancelled while it waits for a
    // thread ends as cancelled ("cancelled before it started") without
    // running.
    //
    // A run still going at its limit (effective_timeout, counted from when a
    // thread took it) ends then, as
    // failure "timed out after N s": that outcome goes to the sink at once
    // and the task's cancellation flag is raised. The handler keeps its
    // thread (and its slot) until it returns; what it returns is discarded,
    // so a late result never replaces the timed-out outcome. A handler still
    // running kCancelHonourWait after that is reported in the log as one
    // that ignores cancellation.
    //
    // Process isolation changes what a handler can do to its slot: a task
    // whose cancellation flag was raised (cancel(), its time limit, the
    // destructor) and that has not returned isolation.kill_grace later has
    // its executor killed, and ends cancelled (or stays timed out); a task
    // whose executor dies fails alone, retryable, with how it died ("task
    // process died: signal 11 (SIGSEGV)", "task process exited with status
    // 3", "task process ran out of memory (--task-memory-limit N bytes):
    // ..."). The slot then runs its next task in a new executor.
    void start(TaskAssignment task);

    // Starts several tasks with fewer thread wake-ups: while a StartBatch
    // lives, start() wakes no handler thread; its destructor wakes as many
    // idle threads as the tasks started need (at most every thread). Without
    // it, every start() wakes a thread, which costs the owner a system call
    // per task when the threads are faster than the owner. Tasks are waiting,
    // cancellable and queryable from start() on either way, and a thread that
    // is awake anyway (finishing a task) may take them before the batch ends.
    // One batch at a time, on the owner's thread; a second one while the
    // first lives throws std::logic_error.
    class StartBatch {
    public:
        explicit StartBatch(ExecutionEngine& engine);
        ~StartBatch();
        StartBatch(const StartBatch&) = delete;
        StartBatch& operator=(const StartBatch&) = delete;

    private:
        ExecutionEngine& engine_;
    };

    // Raises the cancellation flag of a running task; the handler decides
    // when to honour it. False when it is not running here (never started,
    // or its handler already returned).
    bool cancel(std::string_view task_id);
    // Raises the flag of every running task.
    void cancel_all();

    // Takes back the newest waiting task of the least urgent priority that is
    // less urgent than `priority`; std::nullopt when none waits. Its slot is
    // free again and it will not run: the owner queues it again.
    std::optional<TaskAssignment> reclaim_waiting_below(Priority priority);
    // Takes back one waiting task by id; std::nullopt when it is not waiting
    // (running, or not here).
    std::optional<TaskAssignment> withdraw_waiting(std::string_view task_id);
    // Takes back every waiting task, most urgent first, oldest first within
    // a priority.
    std::vector<TaskAssignment> take_all_waiting();

    // Whether the task waits or runs here, and its progress; std::nullopt
    // when the engine does not hold it (never started, or its handler
    // returned).
    std::optional<RunView> inspect(std::string_view task_id) const;

    // Waits until every started task's outcome has been delivered (its sink
    // call returned) or the grace period ends; returns how many have not.
    // Does not cancel anything: call cancel_all() first to hurry handlers.
    std::size_t wait_idle(std::chrono::milliseconds grace);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fastqueue

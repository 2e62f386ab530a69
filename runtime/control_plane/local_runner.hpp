// local_runner.hpp -- the control plane running tasks itself, on its own
// execution engine: the tasks no live subworker can run and its own plugins
// can. With --concurrency 0 there is no engine: the control plane runs no
// task itself (can_run() is false for every task), and the rest of this
// interface answers as an engine with nothing in it would.
//
// The engine's handler threads run handlers and post their outcomes to a
// mailbox that the I/O thread polls (wakeup_fd()) and collects (collect()).
// The engine may hold up to kWindow tasks waiting for a handler thread, so
// that its threads go from one short task to the next without waiting for
// the loop; priority stays strict: a more urgent task takes a waiting
// task's place (make_room()), and the waiting task goes back to the head of
// its queue in the task table.
//
// Belongs to the I/O thread, except the engine's own threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/mailbox.hpp"
#include "config/settings.hpp"
#include "control_plane/task_table.hpp"
#include "execution/execution_engine.hpp"
#include "protocol/messages.hpp"

namespace fastqueue {

class TaskRegistry;

class LocalRunner {
public:
    // Tasks the engine may hold waiting for a handler thread. With a
    // journal a turn costs a sync, so a turn must start more tasks for the
    // handlers to keep busy: the window is larger.
    static constexpr std::size_t kWindow = 64;
    static constexpr std::size_t kJournalWindow = 1024;

    LocalRunner(const ControlPlaneSettings& settings, TaskTable& tasks);
    // Starts the engine's handler threads (the registry must outlive them),
    // unless settings.engine.concurrency is 0.
    void start_engine(const TaskRegistry& registry);

    bool has_engine() const { return engine_ != nullptr; }
    // True when this control plane runs tasks named task_name itself: it has
    // an engine and a plugin of its own registered the name.
    bool can_run(const std::string& task_name) const;
    ExecutionEngine& engine() { return *engine_; }  // only when has_engine()
    // For EngineDrain::abandon_if_running, after the I/O loop ended.
    std::unique_ptr<ExecutionEngine>& engine_handle() { return engine_; }
    // Readable when outcomes wait to be collected.
    int wakeup_fd() const { return completions_.wakeup_fd(); }
    // Readable when task processes answered tasks handed straight to them
    // (ExecutionEngine::enable_owner_answers); -1 when there are none to
    // read (no engine, or thread isolation). collect_answers() reads them
    // and collects what they ended.
    int answers_fd() const { return answers_fd_; }
    void collect_answers();

    // True when the engine can take a task of `priority` now: it has a free
    // slot, or a less urgent waiting task gave its place back.
    bool make_room(Priority priority);
    // Starts the task here (the table marks it running). With hold_starts(),
    // the task is entered as running and handed to the engine only by
    // release_held().
    void start(const TaskId& id, LiveTask& task);
    // With a journal: start() holds its tasks until the turn's records are
    // written, so that no task runs before its start is on disk.
    void hold_starts() { is_holding_starts_ = true; }
    // Hands the held tasks to the engine, those still running in the table.
    void release_held();
    // Gives every task the engine still has waiting back to the table, in
    // order (execution/unstarted_tasks.hpp).
    void give_back_all();
    // For execution/unstarted_tasks.hpp: one given-back task to the table.
    void requeue_unstarted(TaskAssignment&& unstarted);
    // A locally running task's record as a client should see it: queued
    // while it still waits for a handler thread, else with its start time
    // and progress.
    void describe_run(TaskRecord& record) const;
    // Cancels a task of this engine: withdrawn and ended at once when it
    // still waited for a thread (cancelled), its cancellation flag raised
    // when it runs (cancelling), else not_found.
    protocol::CancelOutcome cancel(TaskTable::Entry& entry);
    // Ends every task whose outcome was posted, in the table.
    void collect();
    // Tasks accepted and not started, outside the engine plus in it, are at
    // least max_queued; asks the engine (a lock) only when it could matter.
    bool is_full(std::size_t outside_engine, std::size_t max_queued) const;
    std::size_t waiting() const { return engine_ ? engine_->waiting() : 0; }
    std::size_t running() const { return engine_ ? engine_->running() : 0; }
    // The engine's handler slots and its task process restarts, for the
    // WORKERS view; 0 without an engine (--concurrency 0, or before
    // start_engine()).
    std::uint32_t concurrency() const;
    std::uint64_t task_process_restarts() const;

private:
    const ControlPlaneSettings& settings_;
    TaskTable& tasks_;
    const TaskRegistry* registry_ = nullptr;  // set by start_engine()
    Mailbox<TaskOutcome> completions_;
    std::unique_ptr<ExecutionEngine> engine_;
    int answers_fd_ = -1;
    const std::size_t window_;
    bool is_holding_starts_ = false;
    std::vector<TaskAssignment> held_;  // started in the table, not yet in the engine
};

}  // namespace fastqueue

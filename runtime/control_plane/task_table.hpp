// task_table.hpp -- the control plane's tasks from acceptance to their
// record in the result cache: the live tasks (queued, scheduled, running),
// the priority queue, the schedule of delayed tasks and retries, the retry
// policy, and finishing into the result cache.
//
// No sockets: the table says what must be sent through a TaskTableOutbox
// (a task ended: its RESULT to the waiting client) and lets the caller
// place each queued task (dispatch()), so that unit tests drive it in memory.
//
// A queued task that no live worker offers waits aside, by name, until one
// that offers it comes (offer()): it neither blocks the tasks behind it nor
// is looked at again before then. Its state stays queued.
//
// Every change of a task's state goes through one private function,
// transition(), and every end through end(): the places where the table's
// journal (task_journal.hpp, only with --journal-dir) records it.
// Belongs to one thread (the control plane's I/O thread), except
// finished_count().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <zmq.hpp>

#include "common/shared_bytes.hpp"
#include "common/task_id.hpp"
#include "config/settings.hpp"
#include "control_plane/live_task.hpp"
#include "execution/priority_queue.hpp"
#include "fastqueue/task.hpp"
#include "results/result_cache.hpp"

namespace fastqueue {

struct TaskOutcome;
class TaskJournal;

// What the table asks of the sockets.
class TaskTableOutbox {
public:
    virtual ~TaskTableOutbox() = default;
    // A task ended with `record` (its result bytes in `result`); it goes into
    // the result cache right after. reply_port >= 0: a client waits for its
    // RESULT on that priority port, at reply_routing_id.
    virtual void task_ended(int reply_port, zmq::message_t& reply_routing_id,
                            const TaskRecord& record, const SharedBytes& result) = 0;
};

// What dispatch()'s place() did with the task it was offered.
enum class Placement {
    started,    // it started (place() called TaskTable::start())
    no_room,    // a worker offers it but none has room: it stays at the head
                // of its queue and nothing after it is offered
    no_worker,  // no live worker offers it: it waits aside until offer()
};

class TaskTable {
public:
    using Entry = LiveTable::value_type;

    // Uses settings' result cache limits and max_worker_losses.
    TaskTable(const ControlPlaneSettings& settings, TaskTableOutbox& outbox);

    // --- Reading.
    // The live task with this id (text or binary), or nullptr.
    Entry* find(const std::string& task_id);
    Entry* find(const TaskId& id);
    ResultCache& cache() { return cache_; }
    std::size_t live_count() const { return live_.size(); }
    // Ids in the priority queue and waiting for a worker (cancelled ones
    // included until they are skipped or swept, at most as many as live ones).
    std::size_t queued_count() const { return queue_.size() + waiting_for_worker_count_; }
    // Of those, the ids that wait for a worker that offers their task.
    std::size_t waiting_for_worker_count() const { return waiting_for_worker_count_; }
    std::size_t scheduled_count() const { return schedule_.size(); }
    // When the earliest scheduled task is due (nullopt: none is scheduled).
    std::optional<Timestamp> next_due() const;
    // Tasks ended so far; may be read from any thread.
    std::uint64_t finished_count() const { return finished_count_; }
    // The shared copy of a task name, kept for as long as the table.
    const std::string* intern_task_name(std::string&& name);

    // --- Transitions.
    // Takes a submitted task (task_name interned): queued, or scheduled
    // until `due` when due > now.
    LiveTask& submit(const TaskId& id, LiveTask&& task, Timestamp due, Timestamp now);
    // Queues every scheduled task due at `now` (at the tail of its priority).
    void release_due(Timestamp now);
    // Offers the queued tasks in strict priority order to
    // place(const TaskId&, LiveTask&), which returns a Placement: started
    // (it called start()); no_room: the task goes back to the head of its
    // queue and nothing after it is offered; no_worker: the task waits aside
    // for offer() of its name, and the next task is offered.
    template <typename Place>
    void dispatch(Place&& place);
    // A live worker offers task_name now: the tasks that waited for one go
    // back to the heads of their priorities, in their order, ahead of the
    // tasks queued after they were set aside.
    void offer(std::string_view task_name);
    // The task starts now on worker_id (a subworker when is_on_subworker).
    void start(const TaskId& id, LiveTask& task, const std::string& worker_id,
               bool is_on_subworker);
    // The task was started and given back unstarted (by the engine, with
    // its input, or refused by its subworker): queued again at the head of
    // its priority, as if it had never started. Unknown ids are ignored.
    void give_back(const std::string& task_id, zmq::message_t&& payload);
    void give_back_refused(const std::string& task_id);
    // The subworker running the task is gone: queued again at the head of
    // its priority, or ended as failure "worker lost" once it has lost
    // max_worker_losses workers. Unknown ids are ignored.
    void requeue_lost(const std::string& task_id);
    // Ends a live task with its outcome, or schedules its retry when it
    // failed retryably with retries left (and the table is not draining).
    // An outcome for a task no longer live is ignored.
    void finish(TaskOutcome&& outcome);
    // Cancels a queued or scheduled task; false (nothing changed) otherwise.
    bool cancel_waiting(Entry& entry, const std::string& reason);
    // Cancels a task the engine held waiting for a handler thread and gave
    // back (ExecutionEngine::withdraw_waiting): it never started.
    void cancel_unstarted(Entry& entry, const std::string& reason);
    // Ends a task that was never live (refused at acceptance, such as an
    // unknown task) with `outcome`.
    void finish_never_live(const TaskId& id, TaskRecord&& record, TaskOutcome&& outcome,
                           int reply_port, zmq::message_t& reply_routing_id);
    // From now on nothing is retried. Then cancels every queued and
    // scheduled task with `reason`.
    void drain(const std::string& reason);
    bool is_draining() const { return is_draining_; }

    // --- The journal (task_journal.hpp).
    // From now on every change of state is recorded in `journal` (null: none).
    void attach_journal(TaskJournal* journal) { journal_ = journal; }
    // Takes back a task the journal kept, in task.state: queued (at the tail
    // of its priority), scheduled (for history->scheduled_for), or running
    // when the control plane stopped: then it lost its worker (one worker
    // loss more; queued again, or failed "worker lost" at max_worker_losses).
    // Records only what changes (requeued, or the end).
    void restore(const TaskId& id, LiveTask&& task);
    // Removes a task accepted this turn whose accepted record could not be
    // written, as if it had never been accepted (it has not started).
    void withdraw(const TaskId& id);

private:
    // Every state change of a task: `task` null for a task that ends without
    // ever being live (finish_never_live).
    void transition(const TaskId& id, LiveTask* task, TaskState to);
    void schedule(const TaskId& id, LiveTask& task, Timestamp due);
    void unschedule(const TaskId& id, const LiveTask& task);
    bool schedule_retry(const TaskId& id, LiveTask& task, TaskOutcome& outcome);
    void finish(LiveTable::iterator it, TaskOutcome&& outcome);
    // Its worker is gone: one worker loss more, then failed "worker lost" at
    // max_worker_losses, else queued again (at the head of its priority when
    // at_head, else at the tail).
    void lose_worker(LiveTable::iterator it, bool at_head);
    void end(const TaskId& id, TaskRecord&& record, TaskOutcome&& outcome, int reply_port,
             zmq::message_t& reply_routing_id);
    // Sets the queued task aside until offer() of its name.
    void wait_for_worker(const TaskId& id, LiveTask& task);
    // A task of task_name that waited for a worker ended (cancelled): the
    // ids of ended tasks are swept from the name's list once they are half.
    void note_ended_while_waiting_for_worker(const std::string& task_name);

    // The ids of queued tasks that no live worker offers, per task name,
    // in priority and then first-in-first-out order; `ended` of them are
    // no longer waiting (cancelled) and are skipped when offered.
    struct WaitingForWorker {
        PriorityQueue<TaskId> ids;
        std::size_t ended = 0;
    };

    const ControlPlaneSettings& settings_;
    TaskTableOutbox& outbox_;
    LiveTable live_;               // queued, scheduled and running tasks
    PriorityQueue<TaskId> queue_;  // ids of queued tasks
    // Keyed by views of the interned names (task_names_), which live as
    // long as the table.
    std::unordered_map<std::string_view, WaitingForWorker> waiting_for_worker_;
    std::size_t waiting_for_worker_count_ = 0;  // ids in waiting_for_worker_
    // Ids of scheduled tasks (delayed, or waiting for a retry) by the time
    // they are due; each task's history.scheduled_for names its entry.
    std::multimap<Timestamp, TaskId> schedule_;
    // The names of tasks accepted so far, each stored once and shared by
    // their LiveTasks. Only names some worker could run are kept, so it
    // grows with the task names workers register, not with submissions.
    std::unordered_set<std::string> task_names_;
    ResultCache cache_;                            // finished tasks
    std::mt19937 random_{std::random_device{}()};  // retry jitter
    bool is_draining_ = false;
    std::atomic<std::uint64_t> finished_count_{0};
    TaskJournal* journal_ = nullptr;  // with --journal-dir
};

template <typename Place>
void TaskTable::dispatch(Place&& place) {
    while (auto id = queue_.pop()) {
        auto it = live_.find(*id);
        // A cancelled task's id stays queued (cancel is O(1)): skipped here.
        if (it == live_.end() || it->second.state != TaskState::queued) continue;
        switch (place(it->first, it->second)) {
            case Placement::started:
                break;
            case Placement::no_room:
                queue_.push_front(it->second.priority, *id);
                return;
            case Placement::no_worker:
                wait_for_worker(it->first, it->second);
                break;
        }
    }
}

}  // namespace fastqueue

// live_task.cpp -- see live_task.hpp.
#include "control_plane/live_task.hpp"

namespace fastqueue {

TaskHistory& LiveTask::started_history() {
    if (!history) history = std::make_unique<TaskHistory>();
    return *history;
}

namespace {

// History is `const TaskHistory` (its strings are copied) or `TaskHistory`
// (they are moved).
template <typename History>
TaskRecord make_record(const TaskId& id, const LiveTask& task, History* history) {
    TaskRecord record;
    record.task_id = id.to_string();
    record.task_name = *task.task_name;
    record.priority = task.priority;
    record.state = task.state;
    record.submitted_at = task.submitted_at;
    if (history != nullptr) {
        record.attempts = history->attempts;
        record.retryable = history->retryable;
        record.worker_id = std::move(history->worker_id);
        record.error = std::move(history->error);
        record.started_at = history->started_at;
        record.scheduled_for = history->scheduled_for;
    }
    return record;
}

}  // namespace

TaskRecord describe_live_task(const TaskId& id, const LiveTask& task) {
    return make_record(id, task, static_cast<const TaskHistory*>(task.history.get()));
}

TaskRecord describe_live_task(const TaskId& id, LiveTask&& task) {
    return make_record(id, task, task.history.get());
}

void mark_started(LiveTask& task, const std::string& worker_id, bool is_on_subworker) {
    task.state = TaskState::running;
    TaskHistory& history = task.started_history();
    history.attempts += 1;
    history.is_on_subworker = is_on_subworker;
    history.worker_id = worker_id;
    history.started_at = Clock::now();
}

void mark_unstarted(LiveTask& task) {
    task.state = TaskState::queued;
    if (!task.history) return;
    if (task.history->attempts > 0) task.history->attempts -= 1;
    task.history->started_at = Timestamp{};
}

}  // namespace fastqueue

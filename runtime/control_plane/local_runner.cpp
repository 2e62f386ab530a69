// local_runner.cpp -- see local_runner.hpp.
#include "control_plane/local_runner.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "config/engine_keys.hpp"
#include "execution/unstarted_tasks.hpp"
#include "plugins/task_registry.hpp"

namespace fastqueue {

using Milliseconds = std::chrono::milliseconds;

LocalRunner::LocalRunner(const ControlPlaneSettings& settings, TaskTable& tasks)
    : settings_(settings),
      tasks_(tasks),
      window_(settings.journal_dir.empty() ? kWindow : kJournalWindow) {}

void LocalRunner::start_engine(const TaskRegistry& registry) {
    registry_ = &registry;
    if (settings_.engine.concurrency == 0) {
        spdlog::info(
            "--concurrency 0: this control plane runs no task itself; each task waits for a "
            "subworker that offers it");
        return;
    }
    // The I/O thread reads what task processes answer (answers_fd).
    auto isolation = config::isolation_options(settings_.engine, settings_.max_payload_bytes);
    isolation.owner_reads_answers = true;
    engine_ = std::make_unique<ExecutionEngine>(
        registry, settings_.engine.concurrency,
        [this](TaskOutcome&& outcome) {
            fail_oversized_result(outcome, settings_.max_payload_bytes);
            completions_.post(std::move(outcome));
        },
        window_, std::move(isolation));
    answers_fd_ = engine_->answers_fd();
}

void LocalRunner::collect_answers() {
    if (engine_) engine_->collect_answers();
    collect();
}

bool LocalRunner::can_run(const std::string& task_name) const {
    return engine_ != nullptr && registry_->find(task_name) != nullptr;
}

bool LocalRunner::make_room(Priority priority) {
    if (!engine_) return false;
    // Held tasks take their slots when released.
    return engine_->free_slots() > held_.size() || reclaim_slot_for(priority, *engine_, *this);
}

void LocalRunner::start(const TaskId& id, LiveTask& task) {
    tasks_.start(id, task, settings_.worker_id, false);
    // A task that may be retried keeps its input for the next attempt.
    zmq::message_t payload = task.max_retries > 0 ? task.payload.share() : task.payload.take();
    TaskAssignment assignment{id.to_string(),
                              *task.task_name,
                              std::move(payload),
                              Milliseconds(task.timeout_ms),
                              Milliseconds(settings_.default_task_timeout_ms),
                              task.priority};
    if (is_holding_starts_) {
        held_.push_back(std::move(assignment));
    } else {
        engine_->start(std::move(assignment));
    }
}

void LocalRunner::release_held() {
    if (held_.empty()) return;
    ExecutionEngine::StartBatch batch(*engine_);
    for (TaskAssignment& assignment : held_) {
        // Withdrawn since: its acceptance could not be written.
        const auto* entry = tasks_.find(assignment.task_id);
        if (entry == nullptr || entry->second.state != TaskState::running) continue;
        engine_->start(std::move(assignment));
    }
    held_.clear();
}

std::uint32_t LocalRunner::concurrency() const {
    return engine_ ? static_cast<std::uint32_t>(engine_->concurrency()) : 0;
}

std::uint64_t LocalRunner::task_process_restarts() const {
    return engine_ ? engine_->task_process_restarts() : 0;
}

void LocalRunner::give_back_all() {
    if (engine_) requeue_all_unstarted(*engine_, *this);
}

void LocalRunner::requeue_unstarted(TaskAssignment&& unstarted) {
    tasks_.give_back(unstarted.task_id, std::move(unstarted.payload));
}

void LocalRunner::describe_run(TaskRecord& record) const {
    if (!engine_) return;
    const auto view = engine_->inspect(record.task_id);
    if (!view) return;  // its outcome is on its way to the I/O thread
    if (!view->has_started) {
        // Waiting for a handler thread: as far as a client can tell, queued.
        mark_unstarted(record);
        return;
    }
    record.started_at = view->started_at;
    record.progress = view->progress;
}

protocol::CancelOutcome LocalRunner::cancel(TaskTable::Entry& entry) {
    if (!engine_) return protocol::CancelOutcome::not_found;
    const std::string task_id = entry.first.to_string();
    if (engine_->withdraw_waiting(task_id)) {
        tasks_.cancel_unstarted(entry, kCancelledBeforeStart);
        return protocol::CancelOutcome::cancelled;
    }
    if (engine_->cancel(task_id)) return protocol::CancelOutcome::cancelling;
    return protocol::CancelOutcome::not_found;
}

void LocalRunner::collect() {
    std::vector<TaskOutcome> outcomes;
    completions_.take_all(outcomes);
    for (auto& outcome : outcomes) {
        // A local outcome for a task that has since gone to a subworker
        // cannot happen (local tasks are never dispatched again); guard anyway.
        if (auto* entry = tasks_.find(outcome.task_id); entry && entry->second.is_on_subworker()) {
            continue;
        }
        tasks_.finish(std::move(outcome));
    }
}

bool LocalRunner::is_full(std::size_t outside_engine, std::size_t max_queued) const {
    // The engine holds at most window_ waiting tasks, and counting them
    // takes its lock: ask it only when they could make the difference.
    if (!engine_) return outside_engine >= max_queued;
    if (outside_engine + window_ < max_queued) return false;
    return outside_engine + engine_->waiting() >= max_queued;
}

}  // namespace fastqueue

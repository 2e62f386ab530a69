// task_table.cpp -- see task_table.hpp.
#include "control_plane/task_table.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

#include "common/backoff.hpp"
#include "control_plane/task_journal.hpp"
#include "execution/execution_engine.hpp"
#include "protocol/submit_options.hpp"

namespace fastqueue {

using Milliseconds = std::chrono::milliseconds;

TaskTable::TaskTable(const ControlPlaneSettings& settings, TaskTableOutbox& outbox)
    : settings_(settings),
      outbox_(outbox),
      cache_(settings.result_cache_size, std::chrono::seconds(settings.result_cache_ttl_seconds),
             settings.result_cache_bytes) {}

TaskTable::Entry* TaskTable::find(const std::string& task_id) {
    const auto id = TaskId::parse(task_id);
    return id ? find(*id) : nullptr;
}

TaskTable::Entry* TaskTable::find(const TaskId& id) {
    auto it = live_.find(id);
    return it == live_.end() ? nullptr : &*it;
}

std::optional<Timestamp> TaskTable::next_due() const {
    if (schedule_.empty()) return std::nullopt;
    return schedule_.begin()->first;
}

const std::string* TaskTable::intern_task_name(std::string&& name) {
    return &*task_names_.insert(std::move(name)).first;
}

void TaskTable::transition(const TaskId& id, LiveTask* task, TaskState to) {
    if (task == nullptr) return;
    task->state = to;
    if (journal_ != nullptr) journal_->transitioned(id, *task);
}

LiveTask& TaskTable::submit(const TaskId& id, LiveTask&& submitted, Timestamp due, Timestamp now) {
    LiveTask& task = live_.emplace(id, std::move(submitted)).first->second;
    // First: the records of what happens to it next supersede this one.
    if (journal_ != nullptr) journal_->accepted(id, task, due > now ? due : Timestamp{});
    if (due > now) {
        schedule(id, task, due);
    } else {
        transition(id, &task, TaskState::queued);
        queue_.push(task.priority, id);
    }
    return task;
}

void TaskTable::schedule(const TaskId& id, LiveTask& task, Timestamp due) {
    task.started_history().scheduled_for = due;  // before: the journal records it
    transition(id, &task, TaskState::scheduled);
    schedule_.emplace(due, id);
}

void TaskTable::unschedule(const TaskId& id, const LiveTask& task) {
    if (!task.history) return;
    auto [first, last] = schedule_.equal_range(task.history->scheduled_for);
    for (auto it = first; it != last; ++it) {
        if (it->second == id) {
            schedule_.erase(it);
            return;
        }
    }
}

void TaskTable::release_due(Timestamp now) {
    while (!schedule_.empty() && schedule_.begin()->first <= now) {
        const TaskId id = schedule_.begin()->second;
        schedule_.erase(schedule_.begin());
        auto it = live_.find(id);
        if (it == live_.end() || it->second.state != TaskState::scheduled) continue;
        LiveTask& task = it->second;
        task.started_history().scheduled_for = Timestamp{};
        transition(id, &task, TaskState::queued);
        queue_.push(task.priority, id);
    }
}

void TaskTable::wait_for_worker(const TaskId& id, LiveTask& task) {
    task.is_waiting_for_worker = true;
    waiting_for_worker_[*task.task_name].ids.push(task.priority, id);
    ++waiting_for_worker_count_;
}

void TaskTable::offer(std::string_view task_name) {
    auto it = waiting_for_worker_.find(task_name);
    if (it == waiting_for_worker_.end()) return;
    // In priority order, oldest first; pushed to the heads newest first.
    std::vector<TaskId> ids;
    ids.reserve(it->second.ids.size());
    while (auto id = it->second.ids.pop()) ids.push_back(*id);
    waiting_for_worker_count_ -= ids.size();
    waiting_for_worker_.erase(it);
    for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
        auto live = live_.find(*id);
        if (live == live_.end() || !live->second.is_waiting_for_worker) continue;
        live->second.is_waiting_for_worker = false;
        queue_.push_front(live->second.priority, *id);
    }
}

void TaskTable::note_ended_while_waiting_for_worker(const std::string& task_name) {
    auto it = waiting_for_worker_.find(task_name);
    if (it == waiting_for_worker_.end()) return;
    WaitingForWorker& waiting = it->second;
    // Sweeping once half have ended keeps the ended ids no more than the
    // waiting ones (--max-queued counts both), at O(1) per end on average.
    if (++waiting.ended * 2 < waiting.ids.size()) return;
    const std::size_t before = waiting.ids.size();
    PriorityQueue<TaskId> kept;
    while (auto id = waiting.ids.pop()) {
        auto live = live_.find(*id);
        if (live == live_.end() || !live->second.is_waiting_for_worker) continue;
        kept.push(live->second.priority, *id);
    }
    waiting_for_worker_count_ -= before - kept.size();
    if (kept.empty()) {
        waiting_for_worker_.erase(it);
        return;
    }
    waiting.ids = std::move(kept);
    waiting.ended = 0;
}

void TaskTable::start(const TaskId& id, LiveTask& task, const std::string& worker_id,
                      bool is_on_subworker) {
    mark_started(task, worker_id, is_on_subworker);
    transition(id, &task, TaskState::running);
}

void TaskTable::give_back(const std::string& task_id, zmq::message_t&& payload) {
    Entry* entry = find(task_id);
    if (entry == nullptr) return;
    LiveTask& task = entry->second;
    mark_unstarted(task);
    transition(entry->first, &task, TaskState::queued);
    task.payload = HeldPayload(std::move(payload));
    queue_.push_front(task.priority, entry->first);
}

void TaskTable::give_back_refused(const std::string& task_id) {
    Entry* entry = find(task_id);
    if (entry == nullptr) return;
    LiveTask& task = entry->second;
    mark_unstarted(task);
    transition(entry->first, &task, TaskState::queued);
    TaskHistory& history = task.started_history();
    history.worker_id.clear();
    history.is_on_subworker = false;
    queue_.push_front(task.priority, entry->first);
}

void TaskTable::requeue_lost(const std::string& task_id) {
    const auto id = TaskId::parse(task_id);
    auto it = id ? live_.find(*id) : live_.end();
    if (it == live_.end()) return;
    lose_worker(it, true);
}

void TaskTable::lose_worker(LiveTable::iterator it, bool at_head) {
    LiveTask& task = it->second;
    TaskHistory& history = task.started_history();
    history.worker_losses += 1;
    history.is_on_subworker = false;
    if (history.worker_losses >= settings_.max_worker_losses) {
        TaskOutcome outcome;
        outcome.task_id = it->first.to_string();
        outcome.state = TaskState::failure;
        outcome.error = "worker lost";
        finish(it, std::move(outcome));
        return;
    }
    transition(it->first, &task, TaskState::queued);
    if (at_head) {
        queue_.push_front(task.priority, it->first);
    } else {
        queue_.push(task.priority, it->first);
    }
}

void TaskTable::restore(const TaskId& id, LiveTask&& recovered) {
    auto [it, is_new] = live_.emplace(id, std::move(recovered));
    if (!is_new) return;
    LiveTask& task = it->second;
    switch (task.state) {
        case TaskState::running:
            task.history->started_at = Timestamp{};
            lose_worker(it, false);
            break;
        case TaskState::scheduled:
            schedule_.emplace(task.history->scheduled_for, id);
            break;
        default:
            task.state = TaskState::queued;
            queue_.push(task.priority, id);
            break;
    }
}

void TaskTable::withdraw(const TaskId& id) {
    auto it = live_.find(id);
    if (it == live_.end()) return;
    // Its id may stay in the queue: dispatch skips ids that are not live.
    if (it->second.state == TaskState::scheduled) unschedule(id, it->second);
    live_.erase(it);
}

bool TaskTable::schedule_retry(const TaskId& id, LiveTask& task, TaskOutcome& outcome) {
    if (is_draining_ || outcome.state != TaskState::failure || !outcome.retryable) return false;
    // attempts counts the runs so far: the first run plus max_retries retries.
    const std::uint32_t attempts = task.attempts();
    if (attempts > task.max_retries) return false;
    const auto base = Milliseconds(task.retry_backoff_ms != 0 ? task.retry_backoff_ms
                                                              : protocol::kDefaultRetryBackoffMs);
    const auto delay = backoff_delay(base, attempts, Milliseconds(protocol::kMaxRetryDelayMs),
                                     protocol::kRetryJitter, random_);
    spdlog::info("task {} attempt {} of {} failed ({}); retrying in {} ms", outcome.task_id,
                 attempts, task.max_retries + 1, outcome.error, delay.count());
    TaskHistory& history = task.started_history();
    history.error = std::move(outcome.error);
    history.retryable = true;
    history.is_on_subworker = false;
    schedule(id, task, Clock::now() + delay);
    return true;
}

void TaskTable::finish(TaskOutcome&& outcome) {
    const auto id = TaskId::parse(outcome.task_id);
    finish(id ? live_.find(*id) : live_.end(), std::move(outcome));
}

void TaskTable::finish(LiveTable::iterator it, TaskOutcome&& outcome) {
    if (it == live_.end()) {
        spdlog::debug("outcome for task {} that is no longer live; ignored", outcome.task_id);
        return;
    }
    LiveTask& task = it->second;
    if (schedule_retry(it->first, task, outcome)) return;
    const TaskId id = it->first;
    transition(id, &task, outcome.state);
    const int reply_port = task.reply_port;
    zmq::message_t reply_routing_id;
    if (reply_port >= 0) {
        reply_routing_id =
            zmq::message_t(task.reply_routing_id.data(), task.reply_routing_id.size());
    }
    TaskRecord record = describe_live_task(id, std::move(task));
    live_.erase(it);
    end(id, std::move(record), std::move(outcome), reply_port, reply_routing_id);
}

bool TaskTable::cancel_waiting(Entry& entry, const std::string& reason) {
    LiveTask& task = entry.second;
    if (task.state != TaskState::queued && task.state != TaskState::scheduled) return false;
    // A queued id stays in the priority queue; dispatch skips ids that are
    // no longer live, which keeps cancel O(1).
    if (task.state == TaskState::scheduled) unschedule(entry.first, task);
    const std::string* task_name = task.task_name;
    const bool was_waiting_for_worker = task.is_waiting_for_worker;
    task.is_waiting_for_worker = false;
    finish(live_.find(entry.first), cancelled_outcome(entry.first.to_string(), reason));
    if (was_waiting_for_worker) note_ended_while_waiting_for_worker(*task_name);
    return true;
}

void TaskTable::cancel_unstarted(Entry& entry, const std::string& reason) {
    mark_unstarted(entry.second);
    transition(entry.first, &entry.second, TaskState::queued);
    finish(live_.find(entry.first), cancelled_outcome(entry.first.to_string(), reason));
}

void TaskTable::finish_never_live(const TaskId& id, TaskRecord&& record, TaskOutcome&& outcome,
                                  int reply_port, zmq::message_t& reply_routing_id) {
    transition(id, nullptr, outcome.state);
    end(id, std::move(record), std::move(outcome), reply_port, reply_routing_id);
}

void TaskTable::end(const TaskId& id, TaskRecord&& record, TaskOutcome&& outcome, int reply_port,
                    zmq::message_t& reply_routing_id) {
    // The result bytes are shared by the RESULT frame and the cache, never
    // copied (they may be large): a subworker's stay in the frame they came in.
    SharedBytes result = std::move(outcome.shared_result);
    apply_outcome(record, std::move(outcome));
    ++finished_count_;
    if (result.empty()) result = SharedBytes::from_string(std::move(record.result));
    record.result.clear();
    if (journal_ != nullptr) journal_->finished(id, record, result);
    outbox_.task_ended(reply_port, reply_routing_id, record, result);
    const std::size_t record_bytes = ResultCache::charge_bytes(record, result.size());
    if (!cache_.put(std::move(record), std::move(result))) {
        spdlog::warn(
            "result cache: record of task {} ({} bytes) is larger than "
            "--result-cache-bytes ({}); not kept, status will answer not found",
            id.to_string(), record_bytes, settings_.result_cache_bytes);
    }
}

void TaskTable::drain(const std::string& reason) {
    is_draining_ = true;
    const auto cancel_if = [&](const TaskId& id, TaskState waiting_state) {
        auto it = live_.find(id);
        if (it == live_.end() || it->second.state != waiting_state) return;
        finish(it, cancelled_outcome(id.to_string(), reason));
    };
    while (auto id = queue_.pop()) cancel_if(*id, TaskState::queued);
    auto waiting_for_worker = std::move(waiting_for_worker_);
    waiting_for_worker_.clear();
    waiting_for_worker_count_ = 0;
    for (auto& [name, waiting] : waiting_for_worker) {
        while (auto id = waiting.ids.pop()) cancel_if(*id, TaskState::queued);
    }
    auto scheduled = std::move(schedule_);
    schedule_.clear();
    for (const auto& [due, id] : scheduled) cancel_if(id, TaskState::scheduled);
}

}  // namespace fastqueue

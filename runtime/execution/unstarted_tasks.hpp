// unstarted_tasks.hpp -- how a role puts tasks its execution engine gave
// back before they ran (ExecutionEngine::reclaim_waiting_below,
// take_all_waiting) back into its own priority queue.
//
// Both roles keep, per task id, an entry with a `record` (TaskRecord) and the
// `payload` it hands the engine; a task the engine gives back becomes queued
// again, at the head of its priority, with its input and as if it had never
// been started.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "execution/execution_engine.hpp"
#include "execution/priority_queue.hpp"

namespace fastqueue {

// Makes a record that was entered as started when its task went to the
// engine read as if it had never started.
inline void mark_unstarted(TaskRecord& record) {
    record.state = TaskState::queued;
    if (record.attempts > 0) record.attempts -= 1;
    record.started_at = Timestamp{};
}

// Queues one given-back task again at the head of its priority. Ignored when
// the table no longer holds it.
template <typename TaskTable>
void requeue_unstarted(TaskAssignment&& unstarted, TaskTable& table,
                       PriorityQueue<std::string>& queue) {
    auto it = table.find(unstarted.task_id);
    if (it == table.end()) return;
    auto& task = it->second;
    mark_unstarted(task.record);
    task.payload = std::move(unstarted.payload);
    queue.push_front(task.record.priority, std::move(unstarted.task_id));
}

// Queues every task the engine still had waiting, keeping their order: the
// most urgent first and, within a priority, the oldest first.
template <typename TaskTable>
void requeue_all_unstarted(ExecutionEngine& engine, TaskTable& table,
                           PriorityQueue<std::string>& queue) {
    auto unstarted = engine.take_all_waiting();
    // push_front reverses, so the newest goes in first.
    for (auto it = unstarted.rbegin(); it != unstarted.rend(); ++it) {
        requeue_unstarted(std::move(*it), table, queue);
    }
}

// Frees a slot for a task of `priority` that found none, by queueing again
// the newest waiting task of the least urgent priority below it. False when
// no less urgent task waits in the engine.
template <typename TaskTable>
bool reclaim_slot_for(Priority priority, ExecutionEngine& engine, TaskTable& table,
                      PriorityQueue<std::string>& queue) {
    auto unstarted = engine.reclaim_waiting_below(priority);
    if (!unstarted) return false;
    requeue_unstarted(std::move(*unstarted), table, queue);
    return true;
}

}  // namespace fastqueue

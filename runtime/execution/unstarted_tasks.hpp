// unstarted_tasks.hpp -- how a role takes back tasks its execution engine
// holds waiting for a handler thread (ExecutionEngine::reclaim_waiting_below,
// take_all_waiting), to put them back into its own priority queue.
//
// `role` is the role's state with its own step for one given-back task,
// `role.requeue_unstarted(TaskAssignment&&)`: queue it again at the head of
// its priority, with its input and as if it had never been started, or
// ignore it when the role no longer holds it.
#pragma once

#include <utility>

#include "execution/execution_engine.hpp"

namespace fastqueue {

// Makes a record that was entered as started when its task went to the
// engine read as if it had never started.
inline void mark_unstarted(TaskRecord& record) {
    record.state = TaskState::queued;
    if (record.attempts > 0) record.attempts -= 1;
    record.started_at = Timestamp{};
}

// Gives back every task the engine still had waiting, keeping their order
// once requeued at the heads of their priorities: the most urgent first and,
// within a priority, the oldest first (the newest is requeued first).
template <typename Role>
void requeue_all_unstarted(ExecutionEngine& engine, Role& role) {
    auto unstarted = engine.take_all_waiting();
    for (auto it = unstarted.rbegin(); it != unstarted.rend(); ++it) {
        role.requeue_unstarted(std::move(*it));
    }
}

// Frees a slot for a task of `priority` that found none, by giving back the
// newest waiting task of the least urgent priority below it. False when no
// less urgent task waits in the engine.
template <typename Role>
bool reclaim_slot_for(Priority priority, ExecutionEngine& engine, Role& role) {
    auto unstarted = engine.reclaim_waiting_below(priority);
    if (!unstarted) return false;
    role.requeue_unstarted(std::move(*unstarted));
    return true;
}

}  // namespace fastqueue

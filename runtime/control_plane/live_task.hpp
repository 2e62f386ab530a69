// live_task.hpp -- a task the control plane holds until it ends: queued,
// scheduled or running.
//
// A queued task is small: the control plane may hold millions of them
// (--max-queued), so its id is kept once, in binary, as the live table's key
// (common/task_id.hpp), its name is shared with every task of that name, and
// its input is compact (held_payload.hpp). What only a task that has been
// started or scheduled needs, its TaskHistory, is made on the first start or
// schedule. The TaskRecord a client reads is built from both when asked
// (describe_live_task) and when the task ends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/compact_bytes.hpp"
#include "common/task_id.hpp"
#include "control_plane/held_payload.hpp"
#include "fastqueue/task.hpp"

namespace fastqueue {

// The attempts of a task: made when it first starts or is scheduled.
struct TaskHistory {
    std::uint32_t attempts = 0;       // times it was started
    std::uint32_t worker_losses = 0;  // times its subworker was lost while it ran there
    bool is_on_subworker = false;     // running on the subworker worker_id
    // Its last attempt failed retryably and it waits (scheduled) to retry.
    bool retryable = false;
    std::string worker_id;      // the worker running it, or that ran it last
    std::string error;          // the last failed attempt's error, kept for a retry
    Timestamp started_at{};     // set while running
    Timestamp scheduled_for{};  // set while scheduled
};

struct LiveTask {
    const std::string* task_name = nullptr;  // interned: lives as long as the control plane
    Timestamp submitted_at{};
    // The input, kept until the task ends so that it can run again when its
    // worker is lost or it is retried.
    HeldPayload payload;
    CompactBytes reply_routing_id;  // the client waiting for the result, when reply_port >= 0
    std::unique_ptr<TaskHistory> history;  // null until first started or scheduled
    // Of its submit options, what matters after acceptance.
    std::uint32_t timeout_ms = 0;
    std::uint32_t max_retries = 0;
    std::uint32_t retry_backoff_ms = 0;
    Priority priority = Priority::normal;
    TaskState state = TaskState::queued;
    std::int8_t reply_port = -1;  // priority port of the client waiting for the result
    // Queued, set aside until a worker that offers its name comes (task_table.hpp).
    bool is_waiting_for_worker = false;

    // The history, made on first use.
    TaskHistory& started_history();
    std::uint32_t attempts() const { return history ? history->attempts : 0; }
    bool is_on_subworker() const { return history && history->is_on_subworker; }
};

// A queued task's whole cost is this, its node in the live table, its entry
// in the queue and its payload (docs/benchmarks.md, "Queue depth").
static_assert(sizeof(LiveTask) <= 80, "a queued task's size is part of the memory budget");

using LiveTable = std::unordered_map<TaskId, LiveTask, TaskIdHash>;

// The task's record as a client reads it (no result: it has not ended).
TaskRecord describe_live_task(const TaskId& id, const LiveTask& task);
// The same, for a task that ends now: its history's strings move.
TaskRecord describe_live_task(const TaskId& id, LiveTask&& task);

// Enters the task as started now, on the worker worker_id (a subworker when
// is_on_subworker): state running, one attempt more.
void mark_started(LiveTask& task, const std::string& worker_id, bool is_on_subworker);

// Makes a task that was entered as started when it went to the engine read
// as if it had never started (the engine gave it back unstarted).
void mark_unstarted(LiveTask& task);

}  // namespace fastqueue

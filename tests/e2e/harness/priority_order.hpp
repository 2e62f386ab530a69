// priority_order.hpp -- the shared set-up and read-back of the priority-order
// tests (control plane alone, and through a saturated subworker): a blocker
// that holds the only handler thread while tasks queue behind it, three
// short sleeps queued at each priority, lowest priority first, then the
// order in which they started. Assertions stay in the tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fastqueue/client.hpp"

namespace fastqueue::e2e {

// How long the blocker sleeps: far longer than any set-up takes on a loaded
// machine. A test cancels it once every task it wants queued behind it was
// accepted (the reply "cancelling" proves it still held the handler then),
// so the queue alone decides what starts next, however slow the set-up was.
inline constexpr double kBlockerSeconds = 300.0;

// How long each task of queue_three_per_priority() sleeps. With one handler
// thread a task starts only after the one before it returned, so start
// times differ by at least this much: far more than the microsecond
// resolution of a record's started_at (an echo runs within a microsecond,
// and two of them could share one), so started_at orders them exactly.
inline constexpr double kQueuedTaskSeconds = 0.005;

struct QueuedTask {
    std::string label;  // e.g. "high-1"
    std::string task_id;
};

// Submits sleep(kQueuedTaskSeconds) for "low-1".."low-3", "normal-1"..,
// "high-1"..,"critical-1".."critical-3", in that order, at the label's
// priority.
std::vector<QueuedTask> queue_three_per_priority(Client& client);

// The order a correct queue starts them in: critical-1..3, high-1..3,
// normal-1..3, low-1..3.
std::vector<std::string> expected_priority_order();

// Each task's finished record (std::nullopt for one that did not finish
// within timeout), in the order of `tasks`.
std::vector<std::optional<TaskRecord>> wait_for_finished_records(
    const ClientOptions& options, const std::vector<QueuedTask>& tasks,
    std::chrono::milliseconds timeout);

// The labels ordered by their records' started_at. Precondition: every
// record is set.
std::vector<std::string> labels_in_start_order(
    const std::vector<QueuedTask>& tasks, const std::vector<std::optional<TaskRecord>>& records);

}  // namespace fastqueue::e2e

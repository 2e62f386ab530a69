// priority_order.hpp -- the shared set-up and read-back of the priority-order
// tests (control plane alone, and through a saturated subworker): three echo
// tasks queued at each priority, lowest priority first, then the order in
// which they started. Assertions stay in the tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fastqueue/client.hpp"

namespace fastqueue::e2e {

struct QueuedTask {
    std::string label;  // e.g. "high-1"; also what the echo task returns
    std::string task_id;
};

// Submits echo(label) for "low-1".."low-3", "normal-1".., "high-1"..,
// "critical-1".."critical-3", in that order, at the label's priority.
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

// priority_order.cpp -- see priority_order.hpp.
#include "harness/priority_order.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

namespace fastqueue::e2e {

std::vector<QueuedTask> queue_three_per_priority(Client& client) {
    const std::pair<Priority, const char*> levels[] = {{Priority::low, "low"},
                                                       {Priority::normal, "normal"},
                                                       {Priority::high, "high"},
                                                       {Priority::critical, "critical"}};
    std::vector<QueuedTask> queued;
    for (const auto& [priority, name] : levels) {
        for (int i = 1; i <= 3; ++i) {
            const std::string label = std::string(name) + "-" + std::to_string(i);
            queued.push_back(
                {label, client.submit("sleep", sleep_payload(kQueuedTaskSeconds), priority)});
        }
    }
    return queued;
}

std::vector<std::string> expected_priority_order() {
    return {"critical-1", "critical-2", "critical-3", "high-1", "high-2", "high-3",
            "normal-1",   "normal-2",   "normal-3",   "low-1",  "low-2",  "low-3"};
}

std::vector<std::optional<TaskRecord>> wait_for_finished_records(
    const ClientOptions& options, const std::vector<QueuedTask>& tasks,
    std::chrono::milliseconds timeout) {
    std::vector<std::optional<TaskRecord>> records;
    records.reserve(tasks.size());
    for (const auto& task : tasks) {
        records.push_back(wait_for_finished_record(options, task.task_id, timeout));
    }
    return records;
}

std::vector<std::string> labels_in_start_order(
    const std::vector<QueuedTask>& tasks, const std::vector<std::optional<TaskRecord>>& records) {
    std::vector<std::size_t> order(tasks.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return records[a]->started_at < records[b]->started_at;
    });
    std::vector<std::string> labels;
    for (std::size_t index : order) labels.push_back(tasks[index].label);
    return labels;
}

}  // namespace fastqueue::e2e

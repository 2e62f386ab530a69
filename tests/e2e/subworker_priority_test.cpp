// subworker_priority_test.cpp -- priority holds end to end. While the only
// subworker's handler is busy (--concurrency 1 --prefetch 0), tasks wait at
// the control plane (which runs nothing itself while a live subworker can
// run the task) and are dispatched critical first, then high, then normal,
// then low, in submission order within one priority.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

struct Queued {
    std::string label;  // e.g. "high-1"
    std::string task_id;
    Timestamp started_at{};
};

}  // namespace

TEST_CASE("subworker priority: with the subworkers saturated, queued tasks are dispatched critical, high, normal, low, FIFO within each") {
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1", "--prefetch", "0"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    Client client(control_plane.client_options());

    const std::string blocker = client.submit("sleep", sleep_payload(1.5), Priority::normal);
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    const std::pair<Priority, const char*> levels[] = {
        {Priority::low, "low"}, {Priority::normal, "normal"},
        {Priority::high, "high"}, {Priority::critical, "critical"}};
    std::vector<Queued> queued;
    for (const auto& [priority, name] : levels) {
        for (int i = 1; i <= 3; ++i) {
            const std::string label = std::string(name) + "-" + std::to_string(i);
            queued.push_back({label, client.submit("echo", echo_payload(label), priority)});
        }
    }
    const auto blocker_record = client.get(blocker);
    REQUIRE_MESSAGE((blocker_record && blocker_record->state == TaskState::running),
                    "setup: the blocking sleep ended before every task was queued");
    CHECK(blocker_record->worker_id == "sw1");

    for (auto& task : queued) {
        const auto record = wait_for_finished_record(control_plane.client_options(), task.task_id, 15s);
        INFO(task.label);
        REQUIRE(record);
        REQUIRE(record->state == TaskState::success);
        CHECK(record->result == nlohmann::json(task.label).dump());
        CHECK(record->worker_id == "sw1");
        task.started_at = record->started_at;
    }

    std::vector<Queued> by_start = queued;
    std::stable_sort(by_start.begin(), by_start.end(),
                     [](const Queued& a, const Queued& b) { return a.started_at < b.started_at; });
    std::vector<std::string> actual;
    for (const auto& task : by_start) actual.push_back(task.label);
    const std::vector<std::string> expected{"critical-1", "critical-2", "critical-3", "high-1",
                                            "high-2",     "high-3",     "normal-1",   "normal-2",
                                            "normal-3",   "low-1",      "low-2",      "low-3"};
    CHECK(join(actual) == join(expected));
}

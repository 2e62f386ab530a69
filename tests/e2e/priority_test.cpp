// priority_test.cpp -- the order in which queued tasks start. With one
// handler thread held busy by a sleep, tasks queued at every priority must
// start critical first, then high, then normal, then low, and in submission
// order within one priority. Start order is read from each record's
// started_at, which the control plane stamps when a handler takes the task.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

struct Queued {
    std::string label;  // e.g. "high-1"
    std::string task_id;
    Timestamp started_at{};
};

std::string echo_payload(const std::string& value) {
    return Client::make_payload(nlohmann::json::array({value}).dump(), "{}");
}

}  // namespace

TEST_CASE("priority: queued critical tasks start before high, high before normal, normal before low, FIFO within each") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());

    const std::string blocker = client.submit(
        "sleep", Client::make_payload("[1.0]", "{}"), Priority::normal);
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    // Queued in the least convenient order: lowest priority first.
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
    // Everything above was queued while the only handler was busy, so the
    // order below is decided by the queue alone.
    const auto blocker_record = client.get(blocker);
    REQUIRE_MESSAGE((blocker_record && blocker_record->state == TaskState::running),
                    "setup: the blocking sleep ended before every task was queued");

    for (auto& task : queued) {
        const auto record = wait_for_finished_record(control_plane.client_options(), task.task_id, 15s);
        INFO(task.label);
        REQUIRE(record);
        REQUIRE(record->state == TaskState::success);
        CHECK(record->result == nlohmann::json(task.label).dump());
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

TEST_CASE("priority: submit --priority sends the task to that priority's queue") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());
    const std::string blocker = client.submit("sleep", Client::make_payload("[1.0]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    const auto low = control_plane.cli(
        {"submit", "--task-name", "echo", "--args", "low", "--priority", "low", "--non-blocking"});
    const auto critical = control_plane.cli(
        {"submit", "--task-name", "echo", "--args", "critical", "--priority", "critical", "--non-blocking"});
    INFO(low.describe() << critical.describe());
    REQUIRE(low.exit_code == 0);
    REQUIRE(critical.exit_code == 0);
    const auto blocker_record = client.get(blocker);
    REQUIRE_MESSAGE((blocker_record && blocker_record->state == TaskState::running),
                    "setup: the blocking sleep ended before both tasks were queued");

    const auto low_record = wait_for_finished_record(control_plane.client_options(), trim(low.stdout_text), 15s);
    const auto critical_record =
        wait_for_finished_record(control_plane.client_options(), trim(critical.stdout_text), 15s);
    REQUIRE(low_record);
    REQUIRE(critical_record);
    CHECK(low_record->priority == Priority::low);
    CHECK(critical_record->priority == Priority::critical);
    CHECK(critical_record->started_at < low_record->started_at);
}

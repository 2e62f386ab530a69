// subworker_dispatch_test.cpp -- where the control plane sends tasks once
// subworkers have registered: to the live subworker with the lowest load
// among those that can run the task, never more than a subworker's
// concurrency plus prefetch at once, to a subworker started while tasks
// flow, and to the control plane itself only when no live subworker can run
// the task. Every record names the worker that ran it.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

std::map<std::string, int> tasks_per_worker(const std::vector<TaskRecord>& records) {
    std::map<std::string, int> counts;
    for (const auto& record : records) ++counts[record.worker_id];
    return counts;
}

std::string describe_counts(const std::map<std::string, int>& counts) {
    std::vector<std::string> parts;
    for (const auto& [worker, count] : counts)
        parts.push_back(worker + "=" + std::to_string(count));
    return join(parts);
}

}  // namespace

TEST_CASE(
    "subworker dispatch: three subworkers share a stream of tasks, one task per free handler") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    // One handler and no prefetch each: a subworker is sent a task only when
    // its handler is free, so tasks on one subworker never overlap in time.
    std::vector<std::unique_ptr<SubworkerProcess>> subworkers;
    for (const char* id : {"sw1", "sw2", "sw3"}) {
        subworkers.push_back(std::make_unique<SubworkerProcess>(
            control_plane, id, std::vector<std::string>{"--concurrency", "1", "--prefetch", "0"}));
    }
    for (auto& subworker : subworkers)
        REQUIRE_MESSAGE(subworker->wait_until_registered(), subworker->describe());

    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 12; ++i) task_ids.push_back(client.submit("sleep", sleep_payload(0.2)));
    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 30s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) REQUIRE(record.state == TaskState::success);

    const auto counts = tasks_per_worker(records);
    INFO("tasks per worker: " << describe_counts(counts));
    CHECK(counts.size() == 3);
    for (const char* id : {"sw1", "sw2", "sw3"}) CHECK(counts.count(id) == 1);
    CHECK(counts.count("control-plane") == 0);

    // Capacity 1 + prefetch 0: on each subworker, a task starts only after
    // the one before it finished.
    std::map<std::string, std::vector<TaskRecord>> by_worker;
    for (const auto& record : records) by_worker[record.worker_id].push_back(record);
    for (auto& entry : by_worker) {
        // Named references: doctest's INFO captures by reference, which
        // clang 14 cannot do for a structured binding.
        const std::string& worker = entry.first;
        std::vector<TaskRecord>& ran = entry.second;
        std::sort(ran.begin(), ran.end(), [](const TaskRecord& a, const TaskRecord& b) {
            return a.started_at < b.started_at;
        });
        for (std::size_t i = 1; i < ran.size(); ++i) {
            INFO(worker << ": " << ran[i - 1].task_id << " finished "
                        << format_timestamp(ran[i - 1].finished_at) << ", " << ran[i].task_id
                        << " started " << format_timestamp(ran[i].started_at));
            CHECK(ran[i - 1].finished_at <= ran[i].started_at);
        }
    }
}

TEST_CASE("subworker dispatch: many short tasks spread over three subworkers by load") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "2"});
    SubworkerProcess sw2(control_plane, "sw2", {"--concurrency", "2"});
    SubworkerProcess sw3(control_plane, "sw3", {"--concurrency", "2"});
    for (auto* subworker : {&sw1, &sw2, &sw3})
        REQUIRE_MESSAGE(subworker->wait_until_registered(), subworker->describe());

    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 30; ++i) task_ids.push_back(client.submit("sleep", sleep_payload(0.1)));
    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 30s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) REQUIRE(record.state == TaskState::success);

    const auto counts = tasks_per_worker(records);
    INFO("tasks per worker: " << describe_counts(counts));
    CHECK(counts.size() == 3);
    for (const char* id : {"sw1", "sw2", "sw3"}) CHECK(counts.count(id) == 1);
}

TEST_CASE("subworker dispatch: a subworker started while tasks flow takes work") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1", "--prefetch", "0"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());

    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 12; ++i) task_ids.push_back(client.submit("sleep", sleep_payload(0.3)));
    REQUIRE(
        wait_for_state(control_plane.client_options(), task_ids.front(), TaskState::running, 10s));

    SubworkerProcess late(control_plane, "late", {"--concurrency", "1", "--prefetch", "0"});
    REQUIRE_MESSAGE(late.wait_until_registered(), late.describe());
    {
        // Setup check: work was still waiting when the newcomer registered.
        const auto last = client.get(task_ids.back());
        REQUIRE(last);
        REQUIRE_MESSAGE(last->state == TaskState::queued,
                        "setup: the stream ended before the second subworker registered");
    }

    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 30s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) REQUIRE(record.state == TaskState::success);
    const auto counts = tasks_per_worker(records);
    INFO("tasks per worker: " << describe_counts(counts));
    CHECK(counts.count("late") == 1);
    CHECK(counts.count("sw1") == 1);
    CHECK(counts.count("control-plane") == 0);
}

TEST_CASE(
    "subworker dispatch: with the default prefetch, long tasks wait at the control plane for a "
    "subworker started later") {
    // The default --prefetch (64) is a ceiling: once sw1's first 0.3 s task
    // has ended, its window shrinks to 1, so most of the stream stays queued
    // at the control plane instead of behind sw1's only handler.
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());

    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 14; ++i) task_ids.push_back(client.submit("sleep", sleep_payload(0.3)));
    REQUIRE(
        wait_for_state(control_plane.client_options(), task_ids.front(), TaskState::success, 10s));

    SubworkerProcess late(control_plane, "late", {"--concurrency", "1"});
    REQUIRE_MESSAGE(late.wait_until_registered(), late.describe());
    {
        const auto last = client.get(task_ids.back());
        REQUIRE(last);
        REQUIRE_MESSAGE(last->state == TaskState::queued,
                        "the last task is not waiting at the control plane: sw1 took it early, "
                        "or the stream ended before the second subworker registered");
    }

    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 30s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) REQUIRE(record.state == TaskState::success);
    const auto counts = tasks_per_worker(records);
    INFO("tasks per worker: " << describe_counts(counts));
    REQUIRE(counts.count("late") == 1);
    CHECK(counts.at("late") >= 3);
    CHECK(counts.count("control-plane") == 0);
}

TEST_CASE("subworker dispatch: with every subworker gone, the control plane runs tasks itself") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess stopped(control_plane, "stopped");
    SubworkerProcess killed(control_plane, "killed");
    REQUIRE_MESSAGE(stopped.wait_until_registered(), stopped.describe());
    REQUIRE_MESSAGE(killed.wait_until_registered(), killed.describe());

    Client client(control_plane.client_options());
    {
        const auto record = client.submit_and_wait("echo", echo_payload("before"));
        REQUIRE(record.state == TaskState::success);
        CHECK((record.worker_id == "stopped" || record.worker_id == "killed"));
    }

    stopped.process().send_signal(SIGTERM);
    killed.process().expect_exit_code(128 + SIGKILL);
    killed.process().send_signal(SIGKILL);
    REQUIRE(stopped.process().wait_for_exit(15s));
    REQUIRE(killed.process().wait_for_exit(15s));
    CHECK(wait_for_subworker_activity(control_plane, "stopped", false, 15s));
    CHECK(wait_for_subworker_activity(control_plane, "killed", false, 15s));

    for (int i = 0; i < 3; ++i) {
        const auto record = client.submit_and_wait("echo", echo_payload("after"));
        INFO(record.error);
        REQUIRE(record.state == TaskState::success);
        CHECK(record.result == nlohmann::json("after").dump());
        CHECK(record.worker_id == "control-plane");
    }
}

TEST_CASE("subworker dispatch: a task no live subworker can run is run by the control plane") {
    // fq_test_ok is loaded by the control plane only.
    ControlPlaneProcess control_plane(kFastHeartbeats, {}, {"fq_test_ok"});
    SubworkerProcess sw1(control_plane, "sw1");
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());

    Client client(control_plane.client_options());
    const auto only_here = client.submit_and_wait("test_ok_echo", "bytes");
    INFO(only_here.error);
    REQUIRE(only_here.state == TaskState::success);
    CHECK(only_here.result == "bytes");
    CHECK(only_here.worker_id == "control-plane");

    const auto anywhere = client.submit_and_wait("echo", echo_payload("x"));
    REQUIRE(anywhere.state == TaskState::success);
    CHECK(anywhere.worker_id == "sw1");
}

TEST_CASE(
    "subworker dispatch: a subworker never holds more than its concurrency plus its prefetch") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1", "--prefetch", "2"});
    SubworkerProcess sw2(control_plane, "sw2", {"--concurrency", "2", "--prefetch", "1"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    REQUIRE_MESSAGE(sw2.wait_until_registered(), sw2.describe());

    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 20; ++i) task_ids.push_back(client.submit("sleep", sleep_payload(0.1)));

    // Sampled while the stream flows: the control plane's own count of what
    // each subworker holds stays within its window (1 + 2 and 2 + 1).
    std::map<std::string, std::uint32_t> highest_load;
    Client watcher(control_plane.client_options());
    poll_until(
        [&] {
            if (const auto status = try_subworker_status(control_plane)) {
                for (const auto& [id, info] : status->subworkers) {
                    highest_load[id] = std::max(highest_load[id], info.load);
                }
            }
            const auto last = watcher.get(task_ids.back());
            return last && is_finished(last->state);
        },
        30s, 20ms);
    CHECK(highest_load["sw1"] <= 3);
    CHECK(highest_load["sw2"] <= 3);

    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 30s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) CHECK(record.state == TaskState::success);
    CHECK(tasks_per_worker(records).count("control-plane") == 0);
}

TEST_CASE("subworker dispatch: a task only the subworkers can run is dispatched to them") {
    // fq_test_ok is loaded by the subworker only: the control plane cannot
    // run test_ok_echo itself, but a live subworker registered it.
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {}, {"fq_test_ok"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());

    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("test_ok_echo", "bytes");
    INFO("error: " << record.error);
    CHECK(record.state == TaskState::success);
    CHECK(record.result == "bytes");
    CHECK(record.worker_id == "sw1");
}

TEST_CASE(
    "subworker dispatch: tasks waiting for the control plane's own handler go to a subworker that "
    "registers") {
    // No subworker yet: the control plane runs the stream itself, one at a
    // time, and the rest wait for its handler thread.
    ControlPlaneProcess control_plane(
        {"--concurrency", "1", "--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 6; ++i) task_ids.push_back(client.submit("sleep", sleep_payload(1.0)));
    REQUIRE(
        wait_for_state(control_plane.client_options(), task_ids.front(), TaskState::running, 10s));

    SubworkerProcess late(control_plane, "late", {"--concurrency", "4"});
    REQUIRE_MESSAGE(late.wait_until_registered(), late.describe());

    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 30s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) REQUIRE(record.state == TaskState::success);
    const auto counts = tasks_per_worker(records);
    INFO("tasks per worker: " << describe_counts(counts));
    CHECK(records.front().worker_id == "control-plane");
    // The newest task waited longest behind the control plane's handler; it
    // must not stay there once a subworker can take it.
    CHECK(records.back().worker_id == "late");
}

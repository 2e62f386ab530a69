// priority_test.cpp -- the order in which queued tasks start. With one
// handler thread held by a blocker until every task is queued, tasks queued
// at every priority must start critical first, then high, then normal, then
// low, and in submission order within one priority. Start order is read
// from each record's started_at, which the control plane stamps when a
// handler takes the task; the task expected to start first runs long enough
// that the next one cannot share its start time (harness/priority_order.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/priority_order.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

TEST_CASE(
    "priority: queued critical tasks start before high, high before normal, normal before low, "
    "FIFO within each") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());

    const std::string blocker =
        client.submit("sleep", sleep_payload(kBlockerSeconds), Priority::normal);
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    // Queued in the least convenient order: lowest priority first.
    const auto queued = queue_three_per_priority(client);
    // Everything above was queued while the only handler was busy, so the
    // order below is decided by the queue alone.
    REQUIRE_MESSAGE(client.cancel(blocker) == CancelResult::cancelling,
                    "setup: the blocker no longer ran when every task was queued");

    const auto records = wait_for_finished_records(control_plane.client_options(), queued, 15s);
    for (std::size_t i = 0; i < queued.size(); ++i) {
        INFO(queued[i].label);
        REQUIRE(records[i]);
        REQUIRE(records[i]->state == TaskState::success);
        CHECK(records[i]->result == nlohmann::json(kQueuedTaskSeconds).dump());
    }
    CHECK(join(labels_in_start_order(queued, records)) == join(expected_priority_order()));
}

TEST_CASE("priority: submit --priority sends the task to that priority's queue") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());
    const std::string blocker = client.submit("sleep", sleep_payload(kBlockerSeconds));
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    const auto low = control_plane.cli(
        {"submit", "--task-name", "echo", "--args", "low", "--priority", "low", "--non-blocking"});
    // A sleep, so that the low task, were it next, could not start in the
    // same microsecond.
    const auto critical = control_plane.cli({"submit", "--task-name", "sleep", "--args",
                                             nlohmann::json(kQueuedTaskSeconds).dump(),
                                             "--priority", "critical", "--non-blocking"});
    INFO(low.describe() << critical.describe());
    REQUIRE(low.exit_code == 0);
    REQUIRE(critical.exit_code == 0);
    REQUIRE_MESSAGE(client.cancel(blocker) == CancelResult::cancelling,
                    "setup: the blocker no longer ran when both tasks were queued");

    const auto low_record =
        wait_for_finished_record(control_plane.client_options(), trim(low.stdout_text), 15s);
    const auto critical_record =
        wait_for_finished_record(control_plane.client_options(), trim(critical.stdout_text), 15s);
    REQUIRE(low_record);
    REQUIRE(critical_record);
    CHECK(low_record->state == TaskState::success);
    CHECK(critical_record->state == TaskState::success);
    CHECK(low_record->priority == Priority::low);
    CHECK(critical_record->priority == Priority::critical);
    CHECK(critical_record->started_at < low_record->started_at);
}

TEST_CASE("priority: a critical task starts next even when many low tasks wait for the handler") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());
    const std::string blocker = client.submit("sleep", sleep_payload(kBlockerSeconds));
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    // More low tasks than the control plane lets wait inside its engine, so
    // some are handed to the handler pool and some stay in the queue.
    std::vector<std::string> lows;
    for (int i = 0; i < 100; ++i) {
        lows.push_back(
            client.submit("echo", Client::make_payload("[\"low\"]", "{}"), Priority::low));
    }
    // A sleep, so that the first low task, were it next, could not start in
    // the same microsecond.
    const std::string critical =
        client.submit("sleep", sleep_payload(kQueuedTaskSeconds), Priority::critical);
    {
        // Waiting tasks read as queued, not running, until a handler takes them.
        const auto waiting = client.get(lows.front());
        REQUIRE(waiting);
        CHECK(waiting->state == TaskState::queued);
        CHECK(waiting->started_at == Timestamp{});
        CHECK(waiting->attempts == 0);
    }
    REQUIRE_MESSAGE(client.cancel(blocker) == CancelResult::cancelling,
                    "setup: the blocker no longer ran when every task was queued");

    const auto critical_record =
        wait_for_finished_record(control_plane.client_options(), critical, 15s);
    REQUIRE(critical_record);
    REQUIRE(critical_record->state == TaskState::success);
    const auto low_records = wait_for_all_finished(control_plane.client_options(), lows, 30s);
    for (const auto& low : low_records) {
        REQUIRE(low.state == TaskState::success);
        CHECK(critical_record->started_at < low.started_at);
    }
}

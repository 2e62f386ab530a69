// subworker_priority_test.cpp -- priority holds end to end. While a blocker
// holds the only subworker's handler (--concurrency 1 --prefetch 0), tasks
// wait at the control plane (which runs nothing itself while a live
// subworker can run the task); once it is cancelled they are dispatched
// critical first, then high, then normal, then low, in submission order
// within one priority.
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
    "subworker priority: with the subworkers saturated, queued tasks are dispatched critical, "
    "high, normal, low, FIFO within each") {
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1", "--prefetch", "0"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    Client client(control_plane.client_options());

    const std::string blocker =
        client.submit("sleep", sleep_payload(kBlockerSeconds), Priority::normal);
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    const auto queued = queue_three_per_priority(client);
    const auto blocker_record = client.get(blocker);
    REQUIRE(blocker_record);
    CHECK(blocker_record->worker_id == "sw1");
    REQUIRE_MESSAGE(client.cancel(blocker) == CancelResult::cancelling,
                    "setup: the blocker no longer ran when every task was queued");

    const auto records = wait_for_finished_records(control_plane.client_options(), queued, 15s);
    for (std::size_t i = 0; i < queued.size(); ++i) {
        INFO(queued[i].label);
        REQUIRE(records[i]);
        REQUIRE(records[i]->state == TaskState::success);
        CHECK(records[i]->result == nlohmann::json(kQueuedTaskSeconds).dump());
        CHECK(records[i]->worker_id == "sw1");
    }
    CHECK(join(labels_in_start_order(queued, records)) == join(expected_priority_order()));
}

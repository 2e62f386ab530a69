// subworker_registration_test.cpp -- how a subworker joins the pool: a
// second subworker with the id of a live one is refused and exits non-zero
// while the live one carries on; a subworker given only --discovery-address
// finds the control plane through its announcements and registers.
#include <doctest/doctest.h>

#include <string>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

TEST_CASE(
    "subworker registration: a duplicate of a live worker id is refused; the live one is "
    "unaffected") {
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess original(control_plane, "twin");
    REQUIRE_MESSAGE(original.wait_until_registered(), original.describe());

    SubworkerProcess duplicate(control_plane, "twin");
    duplicate.process().expect_exit_code(1);
    const auto exit_code = duplicate.process().wait_for_exit(15s);
    INFO(duplicate.describe());
    REQUIRE(exit_code);
    CHECK(*exit_code == 1);
    CHECK(contains(duplicate.process().stderr_text(), "twin"));

    CHECK(original.process().is_running());
    const auto status = try_subworker_status(control_plane);
    REQUIRE(status);
    CHECK(status->total_subworkers == 1);
    REQUIRE(status->subworkers.count("twin") == 1);
    CHECK(status->subworkers.at("twin").address == original.address());
    CHECK(status->subworkers.at("twin").is_active);

    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("echo", echo_payload("ok"));
    CHECK(record.state == TaskState::success);
    CHECK(record.worker_id == "twin");
}

TEST_CASE(
    "subworker registration: a subworker given only --discovery-address registers and runs tasks") {
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess found(control_plane, "found", {}, {}, ControlPlaneLookup::by_discovery);
    REQUIRE_MESSAGE(found.wait_until_registered(), found.describe());

    const auto status = try_subworker_status(control_plane);
    REQUIRE(status);
    REQUIRE(status->subworkers.count("found") == 1);
    CHECK(status->subworkers.at("found").address == found.address());

    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("echo", echo_payload("found"));
    CHECK(record.state == TaskState::success);
    CHECK(record.worker_id == "found");
}

// isolation_role_exit_test.cpp -- task processes never outlive their role:
// a role stopped with SIGTERM exits 0 and leaves none of them running, even
// one busy with a task that ignores cancellation; a role killed with SIGKILL
// leaves none running moments later (they die with it, PR_SET_PDEATHSIG).
// Executors are found by their command line, `executor --parent-pid ROLE`,
// whoever their parent is after the role is gone.
#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "harness/control_plane_process.hpp"
#include "harness/process_table.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kRoleExitSlots = 2;
// How long the executors of a killed role may take to be gone.
constexpr auto kOrphanDeadline = 3s;

// Starts crashy.spin (which ignores cancellation for 60 s) and waits until
// it runs, so the role has a busy task process when it is stopped.
void start_runaway_task(const ControlPlaneProcess& control_plane) {
    Client client(control_plane.client_options());
    const std::string spin = client.submit("crashy.spin", "{}");
    REQUIRE(wait_for_state(control_plane.client_options(), spin, TaskState::running, 10s));
}

bool has_no_executors(pid_t role) {
    return poll_until([&] { return executor_pids_of(role).empty(); }, kOrphanDeadline, 20ms);
}

}  // namespace

TEST_CASE("isolation: a control plane stopped by SIGTERM exits 0 and leaves no task process") {
    // The spin outlasts --shutdown-grace, ignores the cancel that follows,
    // and is killed --kill-grace later; then the control plane exits.
    ControlPlaneProcess control_plane({"--concurrency", std::to_string(kRoleExitSlots),
                                       "--shutdown-grace", "1", "--kill-grace", "1"},
                                      {}, {"fq_test_crashy"});
    Process& role = control_plane.process();
    const pid_t role_pid = role.pid();
    REQUIRE_MESSAGE(wait_for_child_count(role_pid, kRoleExitSlots, 10s),
                    "children: " << describe_pids(child_pids(role_pid)));
    start_runaway_task(control_plane);

    CHECK(role.stop(30s) == 0);
    INFO("control plane stderr:\n" << role.stderr_text());
    CHECK_MESSAGE(executor_pids_of(role_pid).empty(),
                  "left running: " << describe_pids(executor_pids_of(role_pid)));
}

TEST_CASE("isolation: the task processes of a SIGKILLed role are gone moments later") {
    ControlPlaneProcess control_plane(kFastHeartbeats, {}, {"fq_test_crashy"});
    SubworkerProcess subworker(control_plane, "sw1",
                               {"--concurrency", std::to_string(kRoleExitSlots)},
                               {"fq_test_crashy"});
    REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
    const pid_t role_pid = subworker.process().pid();
    REQUIRE_MESSAGE(wait_for_child_count(role_pid, kRoleExitSlots, 10s),
                    "children: " << describe_pids(child_pids(role_pid)));
    // One of its executors is busy and ignores everything but SIGKILL.
    start_runaway_task(control_plane);
    REQUIRE(executor_pids_of(role_pid).size() == kRoleExitSlots);

    subworker.process().send_signal(SIGKILL);
    subworker.process().expect_exit_code(128 + SIGKILL);
    REQUIRE(subworker.process().wait_for_exit(10s).has_value());
    CHECK_MESSAGE(has_no_executors(role_pid),
                  "left running: " << describe_pids(executor_pids_of(role_pid)));

    // The same for a control plane (one of its task processes may be running
    // the spin by now, dispatched again after the subworker's loss).
    const pid_t control_plane_pid = control_plane.process().pid();
    REQUIRE(executor_pids_of(control_plane_pid).size() >= 1);
    control_plane.process().send_signal(SIGKILL);
    control_plane.process().expect_exit_code(128 + SIGKILL);
    REQUIRE(control_plane.process().wait_for_exit(10s).has_value());
    CHECK_MESSAGE(has_no_executors(control_plane_pid),
                  "left running: " << describe_pids(executor_pids_of(control_plane_pid)));
}

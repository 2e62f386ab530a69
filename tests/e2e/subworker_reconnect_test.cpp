// subworker_reconnect_test.cpp -- a subworker that loses its control plane
// (the control plane is killed and started again on the same ports) keeps
// retrying and registers with the new control plane by itself, with no
// restart of the subworker; it then takes work again, and a client that was
// connected before the restart submits to the new control plane unchanged.
#include <doctest/doctest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

TEST_CASE(
    "subworker reconnect: after the control plane restarts on the same address, the subworker "
    "registers again by itself and runs tasks") {
    const std::vector<std::string> heartbeats{"--heartbeat-interval", "0.2", "--heartbeat-liveness",
                                              "3"};
    ControlPlaneProcess control_plane(heartbeats);
    SubworkerProcess sw1(control_plane, "sw1");
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    // One client for the whole test: it must reconnect by itself.
    Client client(control_plane.client_options());
    CHECK(client.submit_and_wait("echo", echo_payload("before")).state == TaskState::success);

    control_plane.process().expect_exit_code(128 + SIGKILL);
    control_plane.process().send_signal(SIGKILL);
    REQUIRE(control_plane.process().wait_for_exit(10s));

    // The same ports, so the subworker's --control-plane-address still
    // points at it; everything the first one knew is gone.
    std::vector<std::string> argv{fastqueue_binary(), "control-plane"};
    const auto port_flags = control_plane_port_flags(control_plane.base_port());
    argv.insert(argv.end(), port_flags.begin(), port_flags.end());
    argv.insert(argv.end(), {"--task-modules", "mytasks", "--modules-dir", test_modules_dir()});
    argv.insert(argv.end(), heartbeats.begin(), heartbeats.end());
    Process restarted(argv);
    REQUIRE_MESSAGE(wait_until_serving(control_plane.address(), restarted, 15s),
                    restarted.stderr_text());

    // try_subworker_status and client_options only use the address, which
    // is now the restarted control plane's.
    CHECK_MESSAGE(wait_for_subworker_activity(control_plane, "sw1", true, 20s), sw1.describe());
    CHECK(sw1.process().is_running());

    const auto record = client.submit_and_wait("echo", echo_payload("again"));
    INFO(record.error);
    CHECK(record.state == TaskState::success);
    CHECK(record.worker_id == "sw1");

    restarted.stop_and_check(10s);
}

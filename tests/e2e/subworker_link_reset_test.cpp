// subworker_link_reset_test.cpp -- a RESULT lost on a reset link does not
// leave its task running: the control plane's connection to a subworker's
// task port is reset (`ss -K`, which needs root) while a task runs there, so
// the subworker's RESULT goes to a connection that no longer exists. Both
// processes live on and heartbeat; the control plane finds the task missing
// from the subworker's reported load, sends it again, and the task ends.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// ss from iproute2, or an empty string.
std::string find_ss() {
    for (const char* path : {"/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss"}) {
        if (std::filesystem::exists(path)) return path;
    }
    return {};
}

// Resets (SOCK_DESTROY) every TCP connection to or from 127.0.0.1:port;
// returns ss's output, which lists the connections it closed.
std::string reset_connections(const std::string& ss, int port) {
    const std::string match = ":" + std::to_string(port);
    Process run({ss, "-K", "-t", "-n", "dst", "127.0.0.1", "and", "(", "dport", "=", match, "or",
                 "sport", "=", match, ")"});
    run.wait_for_exit(10s);
    return run.stdout_text() + run.stderr_text();
}

}  // namespace

TEST_CASE(
    "subworker link reset: a RESULT sent while the control plane's link to the subworker's task "
    "port was reset is not lost for good; the task ends") {
    const std::string ss = find_ss();
    if (::geteuid() != 0 || ss.empty()) {
        MESSAGE("NOT RUN: resetting a TCP connection with `ss -K` needs root and iproute2's ss ("
                << (::geteuid() != 0 ? "not root" : "no ss found") << ")");
        return;
    }
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());

    Client client(control_plane.client_options());
    const std::string task_id = client.submit("sleep", sleep_payload(1.5));
    REQUIRE(wait_for_state(control_plane.client_options(), task_id, TaskState::running, 10s));
    // The SUBMIT crossed loopback long before the 1.5 s sleep ends; had the
    // reset taken it (or its ACK), the task would be sent again all the same.

    // Normal priority: the link to sw1's base+2. Every connection to it goes.
    const int task_port = sw1.base_port() + static_cast<int>(Priority::normal);
    const std::string killed = reset_connections(ss, task_port);
    if (!contains(killed, ":" + std::to_string(task_port))) {
        MESSAGE(
            "NOT RUN: `ss -K` closed no connection (a kernel without "
            "CONFIG_INET_DIAG_DESTROY?): "
            << killed);
        return;
    }
    MESSAGE("reset the link to " << task_port << ":\n" << killed);

    // The sleep ends about 1.5 s after it started; its RESULT went to the
    // closed connection. Without reconciliation the task stays running.
    const auto record = wait_for_finished_record(control_plane.client_options(), task_id, 20s);
    REQUIRE(record.has_value());
    INFO(record->error);
    CHECK(record->state == TaskState::success);
    CHECK(record->worker_id == "sw1");
    CHECK(sw1.process().is_running());
    CHECK(contains(control_plane.process().stderr_text(), "sending 1 again"));
}

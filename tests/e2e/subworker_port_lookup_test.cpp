// subworker_port_lookup_test.cpp -- a subworker given only
// --control-plane-address finds where to register from the control plane
// itself, whatever its --subworker-port, and a subworker that gets no
// answer says, every few seconds, where it is asking and what to check, as
// does one whose REGISTER goes unanswered.
#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <vector>

#include "discovery/discovery.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// `fastqueue subworker` told only the control plane's base address.
std::unique_ptr<Process> start_subworker(const std::string& worker_id,
                                         const std::string& control_plane_address) {
    const int base_port = find_free_port_block(SubworkerProcess::kPortCount);
    return std::make_unique<Process>(std::vector<std::string>{
        fastqueue_binary(), "subworker", "--worker-id", worker_id, "--base-address",
        loopback_address(base_port), "--control-plane-address", control_plane_address,
        "--task-modules", "mytasks", "--modules-dir", test_modules_dir()});
}

}  // namespace

TEST_CASE(
    "subworker port lookup: a control plane on another --subworker-port than base+5 is found "
    "through its query port, and the subworker runs tasks") {
    // base+0..4 and discovery at base+6 as usual; subworkers at base+7.
    const int base_port = find_free_port_block(ControlPlaneProcess::kPortCount + 1);
    const std::string address = loopback_address(base_port);
    const int subworker_port = base_port + 7;
    Process control_plane({fastqueue_binary(), "control-plane", "--base-address", address,
                           "--discovery-address", loopback_address(base_port + 6),
                           "--subworker-port", std::to_string(subworker_port), "--task-modules",
                           "mytasks", "--modules-dir", test_modules_dir(), "--concurrency", "1"});
    REQUIRE_MESSAGE(wait_until_serving(address, control_plane, 15s), control_plane.stderr_text());

    ClientOptions options;
    options.control_plane_address = address;
    options.timeout = 10s;
    Client client(options);
    const auto own = client.get_subworker_status().control_plane;
    REQUIRE(own.has_value());
    CHECK(own->subworker_port == static_cast<std::uint32_t>(subworker_port));

    auto sw1 = start_subworker("sw1", address);
    const bool is_registered = poll_until(
        [&] {
            const auto status = client.get_subworker_status();
            const auto found = status.subworkers.find("sw1");
            return found != status.subworkers.end() && found->second.is_active;
        },
        15s, 100ms);
    REQUIRE_MESSAGE(is_registered, sw1->stderr_text());
    CHECK(contains(sw1->stderr_text(), "port " + std::to_string(subworker_port)));

    const auto record = client.submit_and_wait("echo", echo_payload("found"));
    INFO(record.error);
    CHECK(record.state == TaskState::success);
    CHECK(record.worker_id == "sw1");

    sw1->stop_and_check(10s);
    control_plane.stop_and_check(10s);
}

TEST_CASE(
    "subworker port lookup: with no control plane at --control-plane-address, the subworker "
    "says every few seconds where it is asking, and stops on SIGTERM") {
    const int nobody = find_free_port_block(ControlPlaneProcess::kPortCount);
    auto sw1 = start_subworker("sw1", loopback_address(nobody));
    const std::string query_address = loopback_address(nobody + 4);
    REQUIRE_MESSAGE(poll_until(
                        [&] {
                            const std::string log = sw1->stderr_text();
                            return contains(log, "no answer for") && contains(log, query_address);
                        },
                        20s, 100ms),
                    sw1->stderr_text());
    CHECK(sw1->is_running());
    sw1->stop_and_check(10s);
}

TEST_CASE(
    "subworker registration: a REGISTER that gets no answer is logged every few seconds with the "
    "address it goes to") {
    // An announcement names a subworker port where nothing listens.
    const int base_port = find_free_port_block(ControlPlaneProcess::kPortCount);
    const std::string discovery_address = loopback_address(base_port + 6);
    const std::string silent_address = loopback_address(base_port + 5);
    zmq::context_t context;
    DiscoveryAnnouncer announcer(context, discovery_address,
                                 protocol::Announce{"silent", loopback_address(base_port),
                                                    static_cast<std::uint32_t>(base_port + 5)});
    Process sw1({fastqueue_binary(), "subworker", "--worker-id", "sw1", "--base-address",
                 loopback_address(find_free_port_block(SubworkerProcess::kPortCount)),
                 "--discovery-address", discovery_address, "--task-modules", "mytasks",
                 "--modules-dir", test_modules_dir()});
    const std::string warning = "no answer from the control plane at " + silent_address + " for ";
    const auto warnings = [&] {
        const std::string log = sw1.stderr_text();
        std::size_t count = 0;
        for (auto at = log.find(warning); at != std::string::npos; at = log.find(warning, at + 1))
            ++count;
        return count;
    };
    // The first after about 8 s of backoff, then one about every 5 s.
    REQUIRE_MESSAGE(poll_until(
                        [&] {
                            announcer.read_subscriptions();
                            announcer.announce();
                            return warnings() >= 2;
                        },
                        30s, 100ms),
                    sw1.stderr_text());
    CHECK(contains(sw1.stderr_text(), "--subworker-port"));
    CHECK(sw1.is_running());
    sw1.stop_and_check(10s);
}

// hostile_input_test.cpp -- what an attacker who can reach a port can send,
// sent to every port of a control plane and of a subworker:
//
//   - JSON nested 100,000 deep in a REGISTER's task list and in a SUBMIT's
//     options frame (once within the options frame's size limit, once far
//     beyond it). A decoder that recursed per level overflowed its stack on
//     the first; each must now be refused like any malformed message.
//   - 64 MiB frames, larger than any port takes: ZeroMQ must close the
//     connection before it buffers the frame, so the receiver's peak resident
//     memory stays where it was.
//
// After each barrage both processes are alive and a task dispatched through
// the subworker still succeeds.
#include <doctest/doctest.h>

#include <zmq.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "common/uuid.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"
#include "harness/wire_client.hpp"
#include "launch/process_status.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr int kControlPlanePorts = 6;  // base+0..5
constexpr int kSubworkerPorts = 4;     // base+0..3
constexpr std::size_t kDeepNesting = 100000;
// An answer comes within milliseconds; this only bounds a hang.
constexpr auto kAnswerTimeout = 10s;
constexpr std::size_t kHugeFrameBytes = std::size_t{64} << 20;
// Peak RSS may move a little for reasons of its own (a log line, a socket's
// buffers); a 64 MiB frame that was buffered would move it by 64 MiB.
constexpr std::uint64_t kPeakGrowthAllowance = std::uint64_t{8} << 20;

std::string nested_json(std::size_t depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

std::vector<std::string> port_addresses(int base_port, int count) {
    std::vector<std::string> addresses;
    for (int offset = 0; offset < count; ++offset) {
        addresses.push_back("tcp://127.0.0.1:" + std::to_string(base_port + offset));
    }
    return addresses;
}

// Every port of the control plane, then every task port of the subworker.
std::vector<std::string> every_port(const ControlPlaneProcess& control_plane,
                                    const SubworkerProcess& subworker) {
    auto addresses = port_addresses(control_plane.base_port(), kControlPlanePorts);
    for (auto& address : port_addresses(subworker.base_port(), kSubworkerPorts)) {
        addresses.push_back(std::move(address));
    }
    return addresses;
}

struct HostileMessage {
    std::string description;
    std::vector<std::string> frames;
};

std::vector<HostileMessage> deeply_nested_messages() {
    const std::string task_id = generate_uuid();
    // Flags 0x03: wants the result, options frame follows.
    const std::string with_options("\x03", 1);
    // 500 levels fill 1,000 bytes: within the options frame's 1,024-byte limit,
    // so the parser itself must refuse the depth.
    return {
        {"REGISTER whose task list is nested 100,000 deep",
         {"FQ/1", "REGISTER", "intruder", "tcp://127.0.0.1:1", "1", "0",
          nested_json(kDeepNesting)}},
        {"SUBMIT whose options are nested 500 deep",
         {"FQ/1", "SUBMIT", task_id, "echo", with_options, "{}", nested_json(500)}},
        {"SUBMIT whose options are nested 100,000 deep",
         {"FQ/1", "SUBMIT", task_id, "echo", with_options, "{}", nested_json(kDeepNesting)}},
    };
}

// A task dispatched to the subworker succeeds, with its result.
void check_task_runs_on(const ControlPlaneProcess& control_plane, const std::string& worker_id) {
    Client client(control_plane.client_options());
    const TaskRecord record = client.submit_and_wait("echo", echo_payload("still serving"));
    CHECK(record.state == TaskState::success);
    CHECK(record.worker_id == worker_id);
    CHECK(record.result.find("still serving") != std::string::npos);
}

// Sends one frame of `size` bytes to address and waits until the receiver
// closes the connection (as ZeroMQ does on a frame above its
// ZMQ_MAXMSGSIZE). Returns whether it did within the timeout.
bool receiver_drops_huge_frame(const std::string& address, std::size_t size) {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    const std::string monitor_address = "inproc://hostile-monitor";
    if (zmq_socket_monitor(socket.handle(), monitor_address.c_str(),
                           ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) != 0) {
        return false;
    }
    monitor.connect(monitor_address);
    socket.connect(address);
    zmq::message_t huge(size);
    std::memset(huge.data(), 'x', size);
    socket.send(huge, zmq::send_flags::none);
    // Events: CONNECTED first, then DISCONNECTED when the receiver closes.
    const auto deadline = std::chrono::steady_clock::now() + kAnswerTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        zmq::pollitem_t item{monitor.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, 100ms);
        if ((item.revents & ZMQ_POLLIN) == 0) continue;
        zmq::message_t event;
        zmq::message_t endpoint;
        if (!monitor.recv(event, zmq::recv_flags::none)) continue;
        if (event.more()) (void)monitor.recv(endpoint, zmq::recv_flags::none);
        std::uint16_t event_id = 0;
        std::memcpy(&event_id, event.data(), sizeof(event_id));
        if (event_id == ZMQ_EVENT_DISCONNECTED) return true;
    }
    return false;
}

}  // namespace

TEST_CASE(
    "hostile input: JSON nested 100,000 deep to every port of a control plane and a subworker is "
    "refused, and both keep serving") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess subworker(control_plane, "sw1");
    REQUIRE(subworker.wait_until_registered());
    check_task_runs_on(control_plane, "sw1");

    for (const auto& address : every_port(control_plane, subworker)) {
        for (const auto& message : deeply_nested_messages()) {
            INFO(message.description << " to " << address);
            WireClient connection(address);
            connection.send_raw(message.frames);
            const auto reply = connection.receive(kAnswerTimeout);
            REQUIRE(reply.has_value());
            REQUIRE(reply->message.has_value());
            CHECK(std::holds_alternative<protocol::Error>(*reply->message));
            REQUIRE(control_plane.process().is_running());
            REQUIRE(subworker.process().is_running());
        }
    }
    REQUIRE(subworker.wait_until_registered());
    check_task_runs_on(control_plane, "sw1");
}

TEST_CASE(
    "hostile input: a 64 MiB frame to every port of a control plane and a subworker is cut off "
    "before it is buffered") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess subworker(control_plane, "sw1");
    REQUIRE(subworker.wait_until_registered());
    check_task_runs_on(control_plane, "sw1");

    const auto control_plane_peak_before =
        launch::read_peak_resident_bytes(control_plane.process().pid());
    const auto subworker_peak_before = launch::read_peak_resident_bytes(subworker.process().pid());
    REQUIRE(control_plane_peak_before.has_value());
    REQUIRE(subworker_peak_before.has_value());

    for (const auto& address : every_port(control_plane, subworker)) {
        INFO("a 64 MiB frame to " << address);
        CHECK(receiver_drops_huge_frame(address, kHugeFrameBytes));
        REQUIRE(control_plane.process().is_running());
        REQUIRE(subworker.process().is_running());
    }
    REQUIRE(subworker.wait_until_registered());
    check_task_runs_on(control_plane, "sw1");

    const auto control_plane_peak_after =
        launch::read_peak_resident_bytes(control_plane.process().pid());
    const auto subworker_peak_after = launch::read_peak_resident_bytes(subworker.process().pid());
    REQUIRE(control_plane_peak_after.has_value());
    REQUIRE(subworker_peak_after.has_value());
    CHECK(*control_plane_peak_after <= *control_plane_peak_before + kPeakGrowthAllowance);
    CHECK(*subworker_peak_after <= *subworker_peak_before + kPeakGrowthAllowance);
}

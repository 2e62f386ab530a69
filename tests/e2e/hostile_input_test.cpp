// hostile_input_test.cpp -- what an attacker who can reach a port can send,
// sent to every port of a control plane and of a subworker:
//
//   - JSON nested 100,000 deep in a REGISTER's task list and in a SUBMIT's
//     options frame (once within the options frame's size limit, once far
//     beyond it). A decoder that recursed per level overflowed its stack on
//     the first; each must now be refused like any malformed message: ERROR,
//     or, on a port whose frame limit is smaller than the message, the
//     connection closed.
//   - 64 MiB frames, larger than any port takes: ZeroMQ must close the
//     connection before it buffers the frame, so the receiver's peak resident
//     memory stays where it was.
//
// After each barrage both processes are alive and a task dispatched through
// the subworker still succeeds.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/uuid.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"
#include "launch/process_status.hpp"
#include "protocol/codec.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr int kControlPlanePorts = 6;  // base+0..5
constexpr int kSubworkerPorts = 4;     // base+0..3
constexpr std::size_t kDeepNesting = 100000;
// An answer comes within milliseconds; this only bounds a hang.
constexpr auto kRefusalTimeout = 10s;
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

// How a receiver dealt with one message.
enum class Refusal {
    answered_error,  // it answered ERROR on the connection
    cut_off,         // it closed the connection (a frame above its ZMQ_MAXMSGSIZE)
    none,            // neither within the timeout
};

// Sends frames on a fresh DEALER to address and waits for the receiver to
// refuse them: an ERROR answer, or the connection closed (seen through a
// socket monitor). Anything else arriving first counts as no refusal.
Refusal send_and_watch(const std::string& address, std::vector<zmq::message_t> frames) {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    const std::string monitor_address = "inproc://hostile-input-monitor";
    REQUIRE(zmq_socket_monitor(socket.handle(), monitor_address.c_str(), ZMQ_EVENT_DISCONNECTED) ==
            0);
    monitor.connect(monitor_address);
    socket.connect(address);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        socket.send(frames[i],
                    i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    const auto deadline = std::chrono::steady_clock::now() + kRefusalTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::array<zmq::pollitem_t, 2> items{
            {{socket.handle(), 0, ZMQ_POLLIN, 0}, {monitor.handle(), 0, ZMQ_POLLIN, 0}}};
        zmq::poll(items.data(), items.size(), 100ms);
        if ((items[0].revents & ZMQ_POLLIN) != 0) {
            protocol::Frames reply;
            (void)zmq::recv_multipart(socket, std::back_inserter(reply));
            const auto decoded = protocol::decode(reply);
            const bool is_error =
                decoded.message && std::holds_alternative<protocol::Error>(*decoded.message);
            return is_error ? Refusal::answered_error : Refusal::none;
        }
        if ((items[1].revents & ZMQ_POLLIN) != 0) {
            // A monitor event is two frames: 6 bytes (event id, value), then the endpoint.
            protocol::Frames event;
            (void)zmq::recv_multipart(monitor, std::back_inserter(event));
            std::uint16_t event_id = 0;
            std::memcpy(&event_id, event.at(0).data(), sizeof(event_id));
            if (event_id == ZMQ_EVENT_DISCONNECTED) return Refusal::cut_off;
        }
    }
    return Refusal::none;
}

std::vector<zmq::message_t> to_frames(const std::vector<std::string>& texts) {
    std::vector<zmq::message_t> frames;
    for (const auto& text : texts) frames.emplace_back(text.data(), text.size());
    return frames;
}

// The peak resident memory (VmHWM) of both processes.
struct PeakMemory {
    std::uint64_t control_plane_bytes = 0;
    std::uint64_t subworker_bytes = 0;
};

PeakMemory read_peak_memory(ControlPlaneProcess& control_plane, SubworkerProcess& subworker) {
    const auto control_plane_bytes =
        launch::read_peak_resident_bytes(control_plane.process().pid());
    const auto subworker_bytes = launch::read_peak_resident_bytes(subworker.process().pid());
    REQUIRE(control_plane_bytes.has_value());
    REQUIRE(subworker_bytes.has_value());
    return {*control_plane_bytes, *subworker_bytes};
}

// A control plane with one registered subworker, "sw1", through which a
// task has run: what each case attacks.
struct ServingPair {
    ControlPlaneProcess control_plane{kFastHeartbeats};
    SubworkerProcess subworker{control_plane, "sw1"};

    ServingPair() {
        REQUIRE(subworker.wait_until_registered());
        check_task_runs_on(control_plane, "sw1");
    }
    void require_running() {
        REQUIRE(control_plane.process().is_running());
        REQUIRE(subworker.process().is_running());
    }
    // Both alive, the subworker registered, and a task still runs through it.
    void require_still_serving() {
        require_running();
        REQUIRE(subworker.wait_until_registered());
        check_task_runs_on(control_plane, "sw1");
    }
};

}  // namespace

TEST_CASE(
    "hostile input: JSON nested 100,000 deep to every port of a control plane and a subworker is "
    "refused, and both keep serving") {
    ServingPair pair;
    auto& control_plane = pair.control_plane;
    auto& subworker = pair.subworker;

    for (const auto& address : every_port(control_plane, subworker)) {
        for (const auto& message : deeply_nested_messages()) {
            INFO(message.description << " to " << address);
            // A port whose frame limit is below the message's size closes
            // the connection; every other port answers ERROR.
            CHECK(send_and_watch(address, to_frames(message.frames)) != Refusal::none);
            pair.require_running();
        }
    }
    pair.require_still_serving();
}

TEST_CASE(
    "hostile input: a 64 MiB frame to every port of a control plane and a subworker is cut off "
    "before it is buffered") {
    ServingPair pair;
    auto& control_plane = pair.control_plane;
    auto& subworker = pair.subworker;

    const PeakMemory before = read_peak_memory(control_plane, subworker);

    for (const auto& address : every_port(control_plane, subworker)) {
        INFO("a 64 MiB frame to " << address);
        std::vector<zmq::message_t> huge;
        huge.emplace_back(kHugeFrameBytes);
        std::memset(huge.back().data(), 'x', kHugeFrameBytes);
        CHECK(send_and_watch(address, std::move(huge)) == Refusal::cut_off);
        pair.require_running();
    }
    pair.require_still_serving();

    const PeakMemory after = read_peak_memory(control_plane, subworker);
    CHECK(after.control_plane_bytes <= before.control_plane_bytes + kPeakGrowthAllowance);
    CHECK(after.subworker_bytes <= before.subworker_bytes + kPeakGrowthAllowance);
}

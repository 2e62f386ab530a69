// frame_limits_test.cpp -- every port of a control plane and a subworker
// bounds the frames it takes in (transport/frame_limits.hpp): a frame of
// exactly a port's limit reaches the role and is answered, one byte more
// closes that connection before the frame is buffered, and the process goes
// on serving. A subworker that takes smaller payloads than the control plane
// sends is refused at REGISTER; a result larger than --max-payload-bytes
// fails its task on either role.
#include "transport/frame_limits.hpp"

#include <doctest/doctest.h>
#include <zmq.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"
#include "harness/wire_client.hpp"
#include "protocol/codec.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kPayloadLimit = 65536;
const std::string kPayloadLimitText = std::to_string(kPayloadLimit);

enum class FrameFate { answered, dropped, ignored };

const char* to_string(FrameFate fate) {
    switch (fate) {
        case FrameFate::answered:
            return "answered";
        case FrameFate::dropped:
            return "connection dropped";
        case FrameFate::ignored:
            return "ignored";
    }
    return "?";
}

// Connects a fresh socket of `type` to address, sends one frame of `size`
// bytes (its first byte `first_byte`, the rest 'z') and reports, within a few
// seconds, whether the peer answered or closed the connection.
FrameFate send_one_frame(const std::string& address, std::size_t size,
                         zmq::socket_type type = zmq::socket_type::dealer, char first_byte = 'z') {
    zmq::context_t context;
    zmq::socket_t socket(context, type);
    socket.set(zmq::sockopt::linger, 0);
    const std::string monitor_address = "inproc://frame-limits-monitor";
    REQUIRE(zmq_socket_monitor(socket.handle(), monitor_address.c_str(), ZMQ_EVENT_DISCONNECTED) ==
            0);
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    monitor.set(zmq::sockopt::linger, 0);
    monitor.connect(monitor_address);
    socket.connect(address);

    std::string frame(size, 'z');
    if (!frame.empty()) frame[0] = first_byte;
    socket.send(zmq::buffer(frame), zmq::send_flags::none);

    FrameFate fate = FrameFate::ignored;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0},
                                              {monitor.handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, 100ms);
        if (items[0].revents & ZMQ_POLLIN) {
            fate = FrameFate::answered;
            break;
        }
        if (items[1].revents & ZMQ_POLLIN) {
            zmq::message_t event;
            (void)monitor.recv(event, zmq::recv_flags::none);
            std::uint16_t event_id = 0;
            std::memcpy(&event_id, event.data(), sizeof(event_id));
            if (event_id == ZMQ_EVENT_DISCONNECTED) {
                fate = FrameFate::dropped;
                break;
            }
        }
    }
    zmq_socket_monitor(socket.handle(), nullptr, 0);
    return fate;
}

// A port and the largest frame it takes.
struct PortLimit {
    std::string name;
    int port = 0;
    std::int64_t limit_bytes = 0;
};

void check_limits(const std::vector<PortLimit>& ports) {
    for (const auto& port : ports) {
        CAPTURE(port.name);
        const std::string address = loopback_address(port.port);
        const auto at_limit = send_one_frame(address, static_cast<std::size_t>(port.limit_bytes));
        CHECK_MESSAGE(at_limit == FrameFate::answered, to_string(at_limit));
        const auto over_limit =
            send_one_frame(address, static_cast<std::size_t>(port.limit_bytes) + 1);
        CHECK_MESSAGE(over_limit == FrameFate::dropped, to_string(over_limit));
    }
}

}  // namespace

TEST_CASE(
    "frame limits: a frame one byte over a control plane port's limit closes that "
    "connection, one at the limit is answered, and the control plane goes on serving") {
    ControlPlaneProcess control_plane({"--max-payload-bytes", kPayloadLimitText});
    const int base = control_plane.base_port();
    std::vector<PortLimit> ports;
    for (int offset = 0; offset < 4; ++offset) {
        ports.push_back({"priority port base+" + std::to_string(offset), base + offset,
                         task_port_frame_bytes(kPayloadLimit)});
    }
    ports.push_back({"query port base+4", base + 4, kSmallFrameBytes});
    ports.push_back({"subworker port base+5", base + 5, kManagementFrameBytes});
    check_limits(ports);

    // The discovery publisher takes subscriptions only: one of its limit is
    // taken (and the peer then hears announcements), one byte more is not.
    const std::string discovery = discovery_address(control_plane);
    const auto at_limit =
        send_one_frame(discovery, static_cast<std::size_t>(kDiscoveryPublisherFrameBytes),
                       zmq::socket_type::xsub, '\x01');
    CHECK_MESSAGE(at_limit == FrameFate::answered, to_string(at_limit));
    const auto over_limit =
        send_one_frame(discovery, static_cast<std::size_t>(kDiscoveryPublisherFrameBytes) + 1,
                       zmq::socket_type::xsub, '\x01');
    CHECK_MESSAGE(over_limit == FrameFate::dropped, to_string(over_limit));

    CHECK(control_plane.process().is_running());
    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("add", Client::make_payload("[2, 3]", "{}"));
    CHECK(record.state == TaskState::success);
    CHECK(record.result == "5");
}

TEST_CASE(
    "frame limits: a frame one byte over a subworker task port's limit closes that "
    "connection, one at the limit is answered, and the subworker goes on running tasks") {
    ControlPlaneProcess control_plane({"--max-payload-bytes", kPayloadLimitText});
    SubworkerProcess subworker(control_plane, "bounded",
                               {"--max-payload-bytes", kPayloadLimitText});
    REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());

    std::vector<PortLimit> ports;
    for (int offset = 0; offset < 4; ++offset) {
        ports.push_back({"task port base+" + std::to_string(offset), subworker.base_port() + offset,
                         task_port_frame_bytes(kPayloadLimit)});
    }
    check_limits(ports);

    CHECK(subworker.process().is_running());
    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("echo", echo_payload("still here"));
    CHECK(record.state == TaskState::success);
    CHECK(record.worker_id == "bounded");
}

TEST_CASE(
    "frame limits: a subworker that takes smaller payloads than the control plane sends "
    "is refused at REGISTER, naming both limits and the flag") {
    ControlPlaneProcess control_plane({"--max-payload-bytes", kPayloadLimitText});
    SubworkerProcess small(control_plane, "small", {"--max-payload-bytes", "1000"});
    small.process().expect_exit_code(1);
    const auto exit_code = small.process().wait_for_exit(15s);
    INFO(small.describe());
    REQUIRE(exit_code);
    CHECK(*exit_code == 1);
    CHECK(contains(small.process().stderr_text(),
                   "max_payload_bytes 1000 is smaller than the control plane's "
                   "--max-payload-bytes (65536): start the subworker with "
                   "--max-payload-bytes 65536 or more"));

    // On the wire: the same REGISTER is refused; one without the frame (a
    // subworker that predates it) is taken to accept the control plane's limit.
    WireClient management(loopback_address(control_plane.base_port() + 5));
    protocol::Register registration;
    registration.worker_id = "wire";
    registration.address = "tcp://127.0.0.1:" + std::to_string(control_plane.base_port() + 20);
    registration.capacity = 1;
    registration.max_payload_bytes = 65535;
    const auto answer_to = [&](const protocol::Register& message) {
        management.send(protocol::Message(message));
        auto answer = management.receive(5s);
        REQUIRE(answer);
        REQUIRE(answer->message);
        return std::move(*answer->message);
    };
    const auto refused = answer_to(registration);
    REQUIRE(std::holds_alternative<protocol::RegisterRefused>(refused));
    CHECK(contains(std::get<protocol::RegisterRefused>(refused).reason,
                   "max_payload_bytes 65535 is smaller"));

    registration.max_payload_bytes.reset();
    CHECK(std::holds_alternative<protocol::Registered>(answer_to(registration)));
}

TEST_CASE(
    "frame limits: a result larger than --max-payload-bytes fails its task, whichever "
    "role ran it") {
    SUBCASE("on the control plane") {
        ControlPlaneProcess control_plane({"--max-payload-bytes", "1000"}, {},
                                          {"fq_test_big_result"});
        Client client(control_plane.client_options());
        const auto fits = client.submit_and_wait("test_big_result", "1000");
        CHECK(fits.state == TaskState::success);
        CHECK(fits.result == std::string(1000, 'x'));
        const auto too_large = client.submit_and_wait("test_big_result", "1001");
        CHECK(too_large.state == TaskState::failure);
        CHECK(too_large.error == "result of 1001 bytes is larger than --max-payload-bytes (1000)");
        CHECK(too_large.result.empty());
    }
    SUBCASE("on a subworker, by its own limit and by the control plane's") {
        ControlPlaneProcess control_plane({"--max-payload-bytes", "1000"});
        SubworkerProcess subworker(control_plane, "big", {"--max-payload-bytes", "4000"},
                                   {"fq_test_big_result"});
        REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
        Client client(control_plane.client_options());
        // Over the subworker's limit: it never sends the result.
        const auto over_subworker = client.submit_and_wait("test_big_result", "4001");
        CHECK(over_subworker.state == TaskState::failure);
        CHECK(over_subworker.worker_id == "big");
        CHECK(over_subworker.error ==
              "result of 4001 bytes is larger than --max-payload-bytes (4000)");
        // Within it, but over the control plane's: the control plane keeps
        // no result larger than its own limit.
        const auto over_control_plane = client.submit_and_wait("test_big_result", "2000");
        CHECK(over_control_plane.state == TaskState::failure);
        CHECK(over_control_plane.error ==
              "result of 2000 bytes is larger than --max-payload-bytes (1000)");
        const auto fits = client.submit_and_wait("test_big_result", "1000");
        CHECK(fits.state == TaskState::success);
        CHECK(fits.worker_id == "big");
        CHECK(fits.result.size() == 1000);
    }
}

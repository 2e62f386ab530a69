// frame_limits_test.cpp -- each socket's ZMQ_MAXMSGSIZE follows from the
// protocol's documented limits, and ZeroMQ applies it as documented: a frame
// of exactly the limit is delivered, one byte more closes the connection.
#include "transport/frame_limits.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>

#include "transport/router_socket.hpp"
#include "transport/wait_readable.hpp"

using namespace fastqueue;
using namespace std::chrono_literals;

TEST_CASE("Frame limits: every port's limit is its largest documented frame plus the slack") {
    CHECK(kSmallFrameBytes == 4096);
    CHECK(kManagementFrameBytes == 2 * 1024 * 1024 + 4096);
    CHECK(kDiscoveryPublisherFrameBytes == 512);
    CHECK(task_port_frame_bytes(16 * 1024 * 1024) == 16 * 1024 * 1024 + 4096);
    CHECK(task_port_frame_bytes(1) == 4097);
    // A RESULT's metadata frame may be larger than a small payload limit.
    CHECK(result_link_frame_bytes(1000) == 1024 * 1024 + 4096);
    CHECK(result_link_frame_bytes(64 * 1024 * 1024) == 64 * 1024 * 1024 + 4096);
    CHECK(task_port_frame_bytes(protocol::kLargestMaxPayloadBytes) ==
          std::int64_t{1} * 1024 * 1024 * 1024 + 4096);
}

namespace {

// The next message on router within a few seconds, or std::nullopt.
std::optional<Envelope> receive_within(RouterSocket& router, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto envelope = router.receive()) return envelope;
        zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE(
    "Frame limits: a RouterSocket takes a frame of its limit and drops a peer that sends more") {
    zmq::context_t context;
    // An ephemeral loopback port: ZMQ_MAXMSGSIZE applies to tcp, not inproc.
    RouterSocket router(context, "tcp://127.0.0.1:*", kSmallFrameBytes);
    const std::string address =
        zmq::socket_ref(zmq::from_handle, router.handle()).get(zmq::sockopt::last_endpoint);

    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    REQUIRE(zmq_socket_monitor(dealer.handle(), "inproc://frame-limits-monitor",
                               ZMQ_EVENT_DISCONNECTED) == 0);
    zmq::socket_t monitor(context, zmq::socket_type::pair);
    monitor.connect("inproc://frame-limits-monitor");
    dealer.connect(address);

    const std::string at_limit(static_cast<std::size_t>(kSmallFrameBytes), 'a');
    dealer.send(zmq::buffer(at_limit), zmq::send_flags::none);
    auto received = receive_within(router, 5s);
    REQUIRE(received);
    REQUIRE(received->body.size() == 1);
    CHECK(received->body[0].size() == at_limit.size());

    const std::string over_limit(static_cast<std::size_t>(kSmallFrameBytes) + 1, 'b');
    dealer.send(zmq::buffer(over_limit), zmq::send_flags::none);
    // The router closed the connection without delivering the frame.
    REQUIRE(wait_readable(monitor, std::chrono::steady_clock::now() + 5s));
    zmq::message_t event;
    REQUIRE(monitor.recv(event, zmq::recv_flags::none));
    std::uint16_t event_id = 0;
    std::memcpy(&event_id, event.data(), sizeof(event_id));
    CHECK(event_id == ZMQ_EVENT_DISCONNECTED);
    CHECK_FALSE(router.receive());
    zmq_socket_monitor(dealer.handle(), nullptr, 0);
}

// discovery_test.cpp -- DiscoveryAnnouncer and discover_control_plane
// (runtime/discovery/discovery.cpp) on free 127.0.0.1 ports: they find each
// other, a silent address times out on time, traffic that is not a valid
// ANNOUNCE is skipped, and one address has one announcer.
#include "discovery/discovery.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "discovery_test_support.hpp"
#include "protocol/codec.hpp"

using namespace fastqueue;
using fastqueue::testing::publish_until_ready;
using fastqueue::testing::unused_address;
using namespace std::chrono_literals;

namespace {

protocol::Announce sample_announcement() {
    protocol::Announce announcement;
    announcement.worker_id = "control-plane";
    announcement.base_address = "tcp://127.0.0.1:5555";
    announcement.subworker_port = 5560;
    return announcement;
}

using Discovery = std::future<std::optional<protocol::Announce>>;

Discovery discover_async(const std::string& address, std::chrono::milliseconds timeout) {
    return std::async(std::launch::async,
                      [address, timeout] { return discover_control_plane(address, timeout); });
}

// Discovers address while announcer serves it as the control plane's loop
// does: reading subscriptions and announcing.
std::optional<protocol::Announce> discover_from(DiscoveryAnnouncer& announcer,
                                                const std::string& address) {
    Discovery discovery = discover_async(address, 5000ms);
    publish_until_ready(discovery, [&] {
        announcer.read_subscriptions();
        announcer.announce();
    });
    return discovery.get();
}

void send_texts(zmq::socket_t& socket, const std::vector<std::string>& texts) {
    std::vector<zmq::message_t> frames;
    for (const auto& text : texts) frames.emplace_back(text.data(), text.size());
    (void)zmq::send_multipart(socket, frames, zmq::send_flags::dontwait);
}

}  // namespace

TEST_CASE("Discovery: a subscriber finds the announcer and reads its announcement") {
    const std::string address = unused_address();
    zmq::context_t context;
    DiscoveryAnnouncer announcer(context, address, sample_announcement());

    auto found = discover_from(announcer, address);
    REQUIRE(found);
    CHECK(found->worker_id == "control-plane");
    CHECK(found->base_address == "tcp://127.0.0.1:5555");
    CHECK(found->subworker_port == 5560);
}

TEST_CASE("Discovery: with no announcer the wait ends with nothing at the timeout") {
    const std::string address = unused_address();
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(discover_control_plane(address, 200ms));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(elapsed >= 190ms);
    CHECK(elapsed < 1s);
}

TEST_CASE("Discovery: messages that are not a valid ANNOUNCE are skipped") {
    const std::string address = unused_address();
    zmq::context_t context;
    zmq::socket_t publisher(context, zmq::socket_type::pub);
    publisher.set(zmq::sockopt::linger, 0);
    publisher.bind(address);
    auto publish_garbage = [&] {
        send_texts(publisher, {"hello"});
        send_texts(publisher, {"FQ/2", "ANNOUNCE", "cp", "tcp://127.0.0.1:5555", "5560"});
        send_texts(publisher, {"FQ/1", "ANNOUNCE", "cp", "tcp://127.0.0.1:5555", "port"});
        send_texts(publisher, {"FQ/1", "ANNOUNCE", "cp"});
        // Well-formed protocol 1, but not an announcement.
        protocol::Frames ack =
            protocol::encode(protocol::Ack{"3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f"});
        (void)zmq::send_multipart(publisher, ack, zmq::send_flags::dontwait);
    };

    SUBCASE("garbage alone is never taken for an announcement") {
        Discovery discovery = discover_async(address, 500ms);
        publish_until_ready(discovery, publish_garbage);
        CHECK_FALSE(discovery.get());
    }
    SUBCASE("the valid announcement after the garbage is found") {
        Discovery discovery = discover_async(address, 5000ms);
        publish_until_ready(discovery, [&] {
            publish_garbage();
            protocol::Frames frames = protocol::encode(sample_announcement());
            (void)zmq::send_multipart(publisher, frames, zmq::send_flags::dontwait);
        });
        auto found = discovery.get();
        REQUIRE(found);
        CHECK(found->base_address == "tcp://127.0.0.1:5555");
        CHECK(found->subworker_port == 5560);
    }
}

TEST_CASE("Discovery: a second announcer on the same address fails to bind, naming it") {
    const std::string address = unused_address();
    zmq::context_t context;
    DiscoveryAnnouncer first(context, address, sample_announcement());
    try {
        DiscoveryAnnouncer second(context, address, sample_announcement());
        FAIL("a second announcer bound " << address);
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        CHECK(message.rfind("cannot bind " + address + ": ", 0) == 0);
    }
}

TEST_CASE("Discovery: an address that is not an endpoint is an error naming it") {
    try {
        (void)discover_control_plane("not-an-address", 100ms);
        FAIL("discovery connected to 'not-an-address'");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()).rfind("cannot connect to not-an-address: ", 0) == 0);
    }
}

TEST_CASE(
    "Discovery: a peer's subscriptions with topics are bounded: past the limit every "
    "connection is closed, and subscribers find the announcer again") {
    const std::string address = unused_address();
    zmq::context_t context;
    DiscoveryAnnouncer announcer(context, address, sample_announcement());

    // A peer that subscribes to ever new topics, each of which ZeroMQ would
    // keep until it disconnects.
    zmq::socket_t flooder(context, zmq::socket_type::xsub);
    flooder.set(zmq::sockopt::linger, 0);
    flooder.connect(address);
    for (int i = 0; i < DiscoveryAnnouncer::kMaxForeignSubscriptions; ++i) {
        std::string subscription = "\x01topic-" + std::to_string(i) + std::string(400, 't');
        flooder.send(zmq::buffer(subscription), zmq::send_flags::none);
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (announcer.resets() == 0 && std::chrono::steady_clock::now() < deadline) {
        zmq::pollitem_t item{announcer.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(20));
        announcer.read_subscriptions();
    }
    CHECK(announcer.resets() == 1);

    // The address is served again.
    auto found = discover_from(announcer, address);
    REQUIRE(found);
    CHECK(found->worker_id == "control-plane");
}

TEST_CASE("Discovery: FastQueue's own subscribers, one after another, close nothing") {
    const std::string address = unused_address();
    zmq::context_t context;
    DiscoveryAnnouncer announcer(context, address, sample_announcement());
    for (int i = 0; i < 4; ++i) CHECK(discover_from(announcer, address));
    CHECK(announcer.resets() == 0);
}

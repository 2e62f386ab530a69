// subworker_fleet_test.cpp -- the links to subworkers and their poll items:
// a link opens on first send and carries replies back; the links of idle
// subworkers are polled only when the caller asks for them; closed links
// leave the poll items.
#include "control_plane/subworker_fleet.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

namespace fastqueue {
namespace {

// A ROUTER standing in for a subworker's critical port, on a port the
// system chose.
struct FakeSubworkerPort {
    explicit FakeSubworkerPort(zmq::context_t& context)
        : socket(context, zmq::socket_type::router) {
        socket.set(zmq::sockopt::linger, 0);
        socket.bind("tcp://127.0.0.1:*");
        address = socket.get(zmq::sockopt::last_endpoint);
    }
    // Receives one message within 5 s; its frames after the routing id.
    std::vector<std::string> receive(zmq::message_t& routing_id) {
        std::vector<std::string> frames;
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::milliseconds(5000)) == 0) return frames;
        REQUIRE(socket.recv(routing_id));
        while (socket.get(zmq::sockopt::rcvmore)) {
            zmq::message_t frame;
            REQUIRE(socket.recv(frame));
            frames.push_back(frame.to_string());
        }
        return frames;
    }
    zmq::socket_t socket;
    std::string address;
};

protocol::Register registration(const std::string& address) {
    protocol::Register message;
    message.worker_id = "sub-1";
    message.address = address;
    message.capacity = 1;
    message.prefetch = 1;
    message.task_names = {"echo"};
    return message;
}

protocol::Frames frames_of(std::vector<std::string> texts) {
    protocol::Frames frames;
    for (auto& text : texts) frames.emplace_back(text);
    return frames;
}

TEST_CASE("SubworkerFleet: a link opens on first send, carries replies, polls while busy") {
    zmq::context_t context;
    FakeSubworkerPort port(context);
    SubworkerFleet fleet(context, 1 << 20);
    SubworkerEntry& entry = fleet.pool().upsert(registration(port.address), zmq::message_t(),
                                                SubworkerPool::SteadyClock::now());
    constexpr std::size_t kFixed = 2;
    std::vector<zmq::pollitem_t> items(kFixed);

    // No link yet: nothing to poll, and an unopened link takes nothing.
    fleet.update_items(items, kFixed, true);
    CHECK(items.size() == kFixed);
    auto cancel = frames_of({"cancel"});
    CHECK_FALSE(fleet.send_if_open("sub-1", 0, cancel));

    auto submit = frames_of({"SUBMIT", "body"});
    REQUIRE(fleet.send(entry, 0, submit));
    CHECK(fleet.are_links_changed());
    zmq::message_t routing_id;
    CHECK(port.receive(routing_id) == std::vector<std::string>{"SUBMIT", "body"});

    // Idle (no task held): its link is left out unless idle links are polled.
    fleet.update_items(items, kFixed, false);
    CHECK_FALSE(fleet.are_links_changed());
    CHECK(items.size() == kFixed);
    CHECK(fleet.has_idle_links());
    fleet.update_items(items, kFixed, true);
    CHECK(items.size() == kFixed + 1);
    CHECK_FALSE(fleet.has_idle_links());

    // Holding a task: polled every turn.
    fleet.pool().assign(entry, "task-1");
    fleet.update_items(items, kFixed, false);
    REQUIRE(items.size() == kFixed + 1);
    CHECK_FALSE(fleet.has_idle_links());

    // A reply comes back on the link and is reported by its item.
    port.socket.send(routing_id, zmq::send_flags::sndmore);
    port.socket.send(zmq::str_buffer("RESULT"), zmq::send_flags::none);
    std::vector<std::pair<std::string, int>> ready;
    for (int i = 0; i < 500 && ready.empty(); ++i) {
        zmq::poll(items.data() + kFixed, 1, std::chrono::milliseconds(10));
        fleet.for_each_ready(items, kFixed, [&](const std::string& worker_id, int priority) {
            ready.emplace_back(worker_id, priority);
        });
    }
    REQUIRE(ready.size() == 1);
    CHECK(ready[0] == std::pair<std::string, int>{"sub-1", 0});
    auto reply = fleet.receive("sub-1", 0);
    REQUIRE(reply);
    REQUIRE(reply->size() == 1);
    CHECK((*reply)[0].to_string() == "RESULT");
    CHECK_FALSE(fleet.receive("sub-1", 0));

    // Closed: the link leaves the items and takes nothing more.
    fleet.close_links("sub-1");
    CHECK(fleet.are_links_changed());
    CHECK_FALSE(fleet.receive("sub-1", 0));
    CHECK_FALSE(fleet.send_if_open("sub-1", 0, cancel));
    fleet.update_items(items, kFixed, true);
    CHECK(items.size() == kFixed);
}

}  // namespace
}  // namespace fastqueue

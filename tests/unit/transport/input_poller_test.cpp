// input_poller_test.cpp -- InputPoller: input on a ZeroMQ socket and on a file
// descriptor is reported, a socket left holding unread input is found when
// flagged although its notification fd stays quiet, writable sockets are
// reported for ZMQ_POLLOUT, and a quiet set times out. No time is asserted:
// waits for input are bounded by a generous timeout that only a failure
// reaches.
#include "transport/input_poller.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/wakeup.hpp"
#include "transport/frame_limits.hpp"
#include "transport/router_socket.hpp"

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

constexpr auto kLongEnough = 5000ms;  // reached only when a test fails

struct RouterAndDealer {
    zmq::context_t context;
    RouterSocket router;
    zmq::socket_t dealer;

    explicit RouterAndDealer(const std::string& name)
        : router(context, "inproc://" + name, kSmallFrameBytes),
          dealer(context, zmq::socket_type::dealer) {
        dealer.connect("inproc://" + name);
    }
    void send_from_dealer(const std::string& text) {
        dealer.send(zmq::buffer(text), zmq::send_flags::none);
    }
};

}  // namespace

TEST_CASE("InputPoller: a quiet socket and a quiet descriptor time out with nothing reported") {
    RouterAndDealer pair("poller-quiet");
    Wakeup wakeup;
    std::vector<zmq::pollitem_t> items{{pair.router.handle(), 0, ZMQ_POLLIN, 0},
                                       {nullptr, wakeup.fd(), ZMQ_POLLIN, 0}};
    InputPoller poller;
    CHECK(poller.wait(items, {true, false}, 0ms) == 0);
    CHECK(poller.wait(items, {false, false}, 20ms) == 0);
    CHECK(items[0].revents == 0);
    CHECK(items[1].revents == 0);
}

TEST_CASE("InputPoller: a message arriving on a socket is reported on that item only") {
    RouterAndDealer pair("poller-message");
    Wakeup wakeup;
    std::vector<zmq::pollitem_t> items{{nullptr, wakeup.fd(), ZMQ_POLLIN, 0},
                                       {pair.router.handle(), 0, ZMQ_POLLIN, 0}};
    InputPoller poller;
    pair.send_from_dealer("hello");
    REQUIRE(poller.wait(items, {false, false}, kLongEnough) == 1);
    CHECK(items[0].revents == 0);
    CHECK(items[1].revents == ZMQ_POLLIN);
    auto envelope = pair.router.receive();
    REQUIRE(envelope);
    CHECK(envelope->body.at(0).to_string() == "hello");
}

TEST_CASE("InputPoller: a ringing descriptor is reported, and no longer once drained") {
    Wakeup wakeup;
    std::vector<zmq::pollitem_t> items{{nullptr, wakeup.fd(), ZMQ_POLLIN, 0}};
    InputPoller poller;
    wakeup.ring();
    REQUIRE(poller.wait(items, {false}, kLongEnough) == 1);
    CHECK(items[0].revents == ZMQ_POLLIN);
    wakeup.drain();
    CHECK(poller.wait(items, {false}, 0ms) == 0);
}

TEST_CASE(
    "InputPoller: input left unread after a partial read is found when the socket is flagged") {
    RouterAndDealer pair("poller-partial");
    std::vector<zmq::pollitem_t> items{{pair.router.handle(), 0, ZMQ_POLLIN, 0}};
    InputPoller poller;
    for (const char* text : {"one", "two", "three"}) pair.send_from_dealer(text);
    // Over inproc the three are queued for the router once the dealer's
    // sends return; wait for their announcement, then read only the first.
    REQUIRE(poller.wait(items, {false}, kLongEnough) == 1);
    std::vector<std::string> read;
    auto envelope = pair.router.receive();
    REQUIRE(envelope);
    read.push_back(envelope->body.at(0).to_string());
    // Two messages wait. The socket's notification fd announced them once
    // and may stay quiet; the flag makes the poller ask the socket itself.
    for (int turn = 0; turn < 2; ++turn) {
        REQUIRE(pair.router.take_unannounced_input());
        REQUIRE(poller.wait(items, {true}, kLongEnough) == 1);
        CHECK(items[0].revents == ZMQ_POLLIN);
        envelope = pair.router.receive();
        REQUIRE(envelope);
        read.push_back(envelope->body.at(0).to_string());
    }
    CHECK(read == std::vector<std::string>{"one", "two", "three"});
    CHECK_FALSE(pair.router.receive());
    CHECK_FALSE(pair.router.take_unannounced_input());
    CHECK(poller.wait(items, {false}, 0ms) == 0);
}

TEST_CASE("InputPoller: an item asking for nothing is left out") {
    RouterAndDealer pair("poller-left-out");
    std::vector<zmq::pollitem_t> items{{pair.router.handle(), 0, 0, 0}};
    InputPoller poller;
    pair.send_from_dealer("ignored");
    CHECK(poller.wait(items, {true}, 20ms) == 0);
    CHECK(items[0].revents == 0);
}

TEST_CASE("InputPoller: a connected socket waited on for ZMQ_POLLOUT is reported writable") {
    RouterAndDealer pair("poller-out");
    std::vector<zmq::pollitem_t> items{{pair.dealer.handle(), 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0}};
    InputPoller poller;
    REQUIRE(poller.wait(items, {false}, kLongEnough) == 1);
    CHECK(items[0].revents == ZMQ_POLLOUT);
}

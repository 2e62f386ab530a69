// router_socket_test.cpp -- RouterSocket's unannounced-input flag (what
// InputPoller::wait needs to know): set by a receive that returned a message
// and by any send, cleared by a receive that found nothing and by taking it.
#include "transport/router_socket.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "transport/frame_limits.hpp"
#include "transport/input_poller.hpp"

using namespace fastqueue;
using namespace std::chrono_literals;

TEST_CASE("RouterSocket: the unannounced-input flag follows receives and sends") {
    zmq::context_t context;
    RouterSocket router(context, "inproc://router-flag", kSmallFrameBytes);
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.connect("inproc://router-flag");
    CHECK_FALSE(router.take_unannounced_input());

    dealer.send(zmq::str_buffer("first"), zmq::send_flags::none);
    dealer.send(zmq::str_buffer("second"), zmq::send_flags::none);
    std::vector<zmq::pollitem_t> items{{router.handle(), 0, ZMQ_POLLIN, 0}};
    InputPoller poller;
    REQUIRE(poller.wait(items, {false}, 5000ms) == 1);

    auto first = router.receive();
    REQUIRE(first);
    CHECK(router.take_unannounced_input());        // a message was read: more may wait
    CHECK_FALSE(router.take_unannounced_input());  // taking clears it

    // Whether "second" has arrived yet or not, reading to the end leaves the
    // flag clear: the last receive found nothing.
    while (router.receive()) {
    }
    CHECK_FALSE(router.take_unannounced_input());

    protocol::Frames reply;
    reply.emplace_back(std::string("reply"));
    CHECK(router.send(first->routing_id, std::move(reply)));
    zmq::message_t answer;
    CHECK(dealer.recv(answer, zmq::recv_flags::none));
    CHECK(answer.to_string() == "reply");
    CHECK(router.take_unannounced_input());  // a send may take in an announcement
    CHECK_FALSE(router.take_unannounced_input());
}

TEST_CASE("RouterSocket: a message of more frames than any protocol message keeps only the first") {
    zmq::context_t context;
    RouterSocket router(context, "inproc://router-many-frames", kSmallFrameBytes);
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.connect("inproc://router-many-frames");

    constexpr int kFrames = 10000;
    for (int i = 0; i < kFrames; ++i) {
        const std::string text = "frame " + std::to_string(i);
        dealer.send(zmq::buffer(text),
                    i + 1 < kFrames ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    // The next message must start clean after the long one.
    dealer.send(zmq::str_buffer("after"), zmq::send_flags::none);

    std::vector<zmq::pollitem_t> items{{router.handle(), 0, ZMQ_POLLIN, 0}};
    InputPoller poller;
    REQUIRE(poller.wait(items, {false}, 5000ms) == 1);
    auto long_message = router.receive();
    REQUIRE(long_message);
    // The first kMaxBodyFrames, then one empty frame that makes the frame
    // count wrong for every message type.
    REQUIRE(long_message->body.size() == protocol::kMaxBodyFrames + 1);
    CHECK(long_message->body.front().to_string() == "frame 0");
    CHECK(long_message->body[protocol::kMaxBodyFrames - 1].to_string() ==
          "frame " + std::to_string(protocol::kMaxBodyFrames - 1));
    CHECK(long_message->body.back().size() == 0);
    CHECK_FALSE(protocol::decode(long_message->body).message);

    std::optional<Envelope> next;
    for (int attempt = 0; attempt < 100 && !next; ++attempt) {
        (void)poller.wait(items, {true}, 50ms);
        next = router.receive();
    }
    REQUIRE(next);
    REQUIRE(next->body.size() == 1);
    CHECK(next->body.front().to_string() == "after");
}

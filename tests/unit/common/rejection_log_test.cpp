// rejection_log_test.cpp -- the shared "count and log once" of rejected
// messages (runtime/common/rejection_log.cpp): each record() adds one to the
// count and writes exactly one warning line with its number, the sender, the
// socket and the reason; peers are named by their routing id in hex.
#include "common/rejection_log.hpp"

#include <doctest/doctest.h>

#include <string>

#include "../plugins/log_capture.hpp"

using namespace fastqueue;

TEST_CASE(
    "RejectionLog: each rejection is counted and logged once, numbered, with sender, socket and "
    "reason") {
    testing::LogCapture log;
    RejectionLog rejections;
    CHECK(rejections.count() == 0);
    rejections.record("peer 00ab", "tcp://127.0.0.1:5557", "not a FastQueue message");
    rejections.record("subworker 'sw1'", "the link to tcp://127.0.0.1:5561", "unexpected QUERY");
    CHECK(rejections.count() == 2);
    const auto lines = log.lines();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          "warning rejected message #1 from peer 00ab on tcp://127.0.0.1:5557: not a FastQueue "
          "message");
    CHECK(lines[1] ==
          "warning rejected message #2 from subworker 'sw1' on the link to "
          "tcp://127.0.0.1:5561: unexpected QUERY");
}

TEST_CASE("RejectionLog: a routing id is shown as hex, at most its first 16 bytes") {
    const std::string id("\x00\x80\x00\x41\xa7", 5);
    CHECK(describe_peer(zmq::message_t(id.data(), id.size())) == "00800041a7");
    const std::string long_id(40, '\xff');
    CHECK(describe_peer(zmq::message_t(long_id.data(), long_id.size())) == std::string(32, 'f'));
    // A frame that did not come from a TCP peer has no address to show.
    const zmq::message_t frame("FQ/1", 4);
    CHECK(describe_sender(zmq::message_t(id.data(), id.size()), frame) == "peer 00800041a7");
}

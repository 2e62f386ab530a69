// receive_frames_test.cpp -- reading one multipart message from a socket
// (runtime/transport/receive_frames.cpp): a whole message as the codec needs
// it, and an oversized one cut so that decode() refuses it while the next
// message still arrives whole.
#include "transport/receive_frames.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "transport/wait_readable.hpp"

using namespace fastqueue;
using namespace fastqueue::protocol;

namespace {

// A PAIR of sockets over inproc, the receiver bound, the sender connected.
struct SocketPair {
    zmq::context_t context;
    zmq::socket_t sender{context, zmq::socket_type::pair};
    zmq::socket_t receiver{context, zmq::socket_type::pair};

    explicit SocketPair(const std::string& name) {
        receiver.bind("inproc://" + name);
        sender.connect("inproc://" + name);
    }

    void send(Frames& frames) {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            sender.send(frames[i],
                        i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        }
    }

    // The next message, waiting for it at most 5 s.
    std::optional<Frames> receive(std::size_t max_frames) {
        REQUIRE(
            wait_readable(receiver, std::chrono::steady_clock::now() + std::chrono::seconds(5)));
        return receive_frames(receiver, max_frames);
    }
};

Frames numbered_frames(std::size_t count) {
    Frames frames;
    for (std::size_t i = 0; i < count; ++i) frames.emplace_back(std::to_string(i));
    return frames;
}

std::string text(const zmq::message_t& frame) { return std::string(frame.to_string_view()); }

}  // namespace

TEST_CASE("receive_frames: nothing waiting is nullopt, without blocking") {
    SocketPair pair("receive-frames-empty");
    CHECK_FALSE(receive_frames(pair.receiver, kMaxBodyFrames).has_value());
}

TEST_CASE("receive_frames keeps a whole REGISTER, the longest message") {
    SocketPair pair("receive-frames-register");
    Register longest;
    longest.worker_id = "sw1";
    longest.address = "tcp://127.0.0.1:6000";
    longest.capacity = 8;
    longest.prefetch = 2;
    longest.task_names = {"add", "mytasks.sleep", "a:b-c_d.e"};
    longest.max_payload_bytes = 16 * 1024 * 1024;
    Frames frames = encode(Message(std::move(longest)));
    REQUIRE(frames.size() == kMaxBodyFrames);
    pair.send(frames);

    std::optional<Frames> received = pair.receive(kMaxBodyFrames);
    REQUIRE(received);
    DecodeResult decoded = decode(*received);
    INFO(decoded.error);
    REQUIRE(decoded.message);
    CHECK(std::get<Register>(*decoded.message).task_names.size() == 3);
}

TEST_CASE("receive_frames cuts an oversized message and the next one arrives whole") {
    SocketPair pair("receive-frames-oversized");
    Frames oversized = numbered_frames(5);
    pair.send(oversized);
    Frames next = numbered_frames(2);
    pair.send(next);

    std::optional<Frames> cut = pair.receive(3);
    REQUIRE(cut);
    // The first max_frames frames, then one empty frame so that decode()
    // refuses the message for its frame count.
    REQUIRE(cut->size() == 4);
    CHECK(text((*cut)[0]) == "0");
    CHECK(text((*cut)[2]) == "2");
    CHECK((*cut)[3].size() == 0);

    std::optional<Frames> whole = pair.receive(3);
    REQUIRE(whole);
    REQUIRE(whole->size() == 2);
    CHECK(text((*whole)[0]) == "0");
    CHECK(text((*whole)[1]) == "1");
}

// handshake_watch.hpp -- why a connecting socket's security handshake
// failed, as soon as it fails: a ZeroMQ socket monitor on the handshake
// events, read by the synchronous caller that waits for an answer.
//
// A connecting socket whose handshake fails retries forever without a word;
// the watch turns the first failure into one sentence instead:
//
//   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH       the server refused this key (ZAP)
//   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL   mechanism mismatch (plaintext
//                                         against CURVE, either way round), or
//                                         a CURVE error
//   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL  the server hung up mid-handshake
//                                         (plaintext against CURVE, or a
//                                         CURVE greeting for another key)
//
// and kMaxSilentDisconnects disconnects before any handshake succeeded: a
// server that cannot decrypt our HELLO (we were given the wrong server key),
// or a CURVE server greeted in plaintext, may close the connection without
// a reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <zmq.hpp>

namespace fastqueue {

class HandshakeWatch {
public:
    // Disconnects before a first successful handshake that count as a
    // failure.
    static constexpr int kMaxSilentDisconnects = 3;

    // Starts monitoring `socket` (before it connects). is_curve: whether the
    // socket is a CURVE client, for the wording;
    // peer: who is on the other side, for the messages ("the control plane").
    HandshakeWatch(zmq::context_t& context, zmq::socket_t& socket, bool is_curve, std::string peer);

    // Waits until `socket` has a message (true), `deadline` passes (false),
    // or a handshake fails (returns true with failure() set). Never sleeps.
    bool wait(zmq::socket_t& socket, std::chrono::steady_clock::time_point deadline);

    // Whether a handshake succeeded since the watch started.
    bool has_succeeded() const { return has_succeeded_; }

    // Why the handshake failed, once it did.
    const std::optional<std::string>& failure() const { return failure_; }

private:
    void read_events();
    void on_event(std::uint16_t event, std::uint32_t value);
    // The failure of a server that hung up mid-handshake, with `detail`.
    std::string hung_up(const std::string& detail) const;

    zmq::socket_t monitor_;
    bool is_curve_;
    std::string peer_;
    bool has_succeeded_ = false;
    int silent_disconnects_ = 0;
    std::optional<std::string> failure_;
};

}  // namespace fastqueue

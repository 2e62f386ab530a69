// wire_client.hpp -- a raw ZeroMQ DEALER connected to one port of a control
// plane, for tests that speak the wire protocol directly: sending frames the
// client library would never send (garbage, a wrong protocol id or version),
// or submitting with a task id chosen by the test so that the task can be
// watched while its submitter waits for the result.
//
// Frames are sent exactly as given; replies are decoded with the runtime's
// codec so that a test can tell an ERROR from anything else.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "protocol/codec.hpp"

namespace fastqueue::e2e {

class WireClient {
public:
    // Connects a DEALER to address (e.g. tcp://127.0.0.1:PORT), with the
    // given ZeroMQ routing id (1..255 bytes) when one is given, else
    // ZeroMQ's own (5 bytes).
    explicit WireClient(const std::string& address, const std::string& routing_id = "");
    WireClient(const WireClient&) = delete;
    WireClient& operator=(const WireClient&) = delete;

    // Sends frames as one multi-part message, byte for byte.
    void send_raw(const std::vector<std::string>& frames);
    // Encodes message with the runtime's codec and sends it.
    void send(protocol::Message&& message);

    // The next message received within timeout, decoded; std::nullopt when
    // nothing arrived.
    std::optional<protocol::DecodeResult> receive(std::chrono::milliseconds timeout);

private:
    zmq::context_t context_;
    zmq::socket_t socket_;
};

// Sends frames on socket as one multi-part message (or as the rest of one,
// after a frame sent with sndmore), byte for byte.
void send_raw_frames(zmq::socket_t& socket, const std::vector<std::string>& frames);

// The frames of a well-formed SUBMIT: protocol id, type, task id, task name,
// flags byte (1 = wants the result), payload.
std::vector<std::string> submit_frames(const std::string& task_id, const std::string& task_name,
                                       bool wants_result, const std::string& payload);

}  // namespace fastqueue::e2e

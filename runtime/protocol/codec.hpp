// codec.hpp -- encodes protocol messages into ZeroMQ frames and decodes and
// validates frames received from the network. This is the only place that
// knows the frame layout; docs/protocol.md describes the same layout.
//
// decode() never trusts its input: it checks the protocol id and version
// before reading anything else, then the frame count, each frame's size and
// content, and returns a reason instead of a message when anything is off. It
// never throws on network input and never asserts.
//
// Frames here are the message body: a ROUTER socket's routing-id frame is
// stripped before decode() and prepended after encode() by the caller.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "protocol/messages.hpp"

namespace fastqueue::protocol {

using Frames = std::vector<zmq::message_t>;

// Largest task name, in bytes.
inline constexpr std::size_t kMaxTaskNameBytes = 128;

struct DecodeResult {
    std::optional<Message> message;  // set on success
    std::string error;               // set on failure: why, one line
    std::string task_id;             // the task id frame when it could be read, for the error reply
};

// Decodes one message. Moves payload/result frames out of `frames` (no copy).
DecodeResult decode(Frames& frames);

// Encodes one message. Moves the payload or result bytes into the frames.
Frames encode(Message&& message);

}  // namespace fastqueue::protocol

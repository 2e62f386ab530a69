// receive_frames.hpp -- reads one whole multipart message from a ZeroMQ
// socket, with a bound on the frames kept, for protocol::decode().
#pragma once

#include <cstddef>
#include <optional>
#include <zmq.hpp>

#include "protocol/codec.hpp"

namespace fastqueue {

// Receives one whole multipart message from `socket` without blocking;
// std::nullopt when none is waiting. Keeps at most max_frames frames: the
// rest of an oversized message is read and dropped (so the next message
// starts clean) and one extra empty frame is appended, so that decode()
// refuses it for its frame count. A ROUTER passes protocol::kMaxBodyFrames + 1 to allow
// for its routing id. Throws zmq::error_t only for socket errors.
std::optional<protocol::Frames> receive_frames(zmq::socket_ref socket, std::size_t max_frames);

}  // namespace fastqueue

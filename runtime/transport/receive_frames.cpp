// receive_frames.cpp -- see receive_frames.hpp.
#include "transport/receive_frames.hpp"

#include <algorithm>

namespace fastqueue {

std::optional<protocol::Frames> receive_frames(zmq::socket_ref socket, std::size_t max_frames) {
    protocol::Frames frames;
    // One allocation per message (a ROUTER's routing id frame included).
    frames.reserve(std::min(max_frames, protocol::kMaxBodyFrames + 1));
    bool is_oversized = false;
    while (true) {
        zmq::message_t frame;
        if (!socket.recv(frame, zmq::recv_flags::dontwait)) {
            // ZeroMQ delivers multipart messages whole: only the first
            // receive can find nothing waiting.
            return std::nullopt;
        }
        bool has_more = frame.more();
        if (frames.size() < max_frames) {
            frames.push_back(std::move(frame));
        } else {
            is_oversized = true;
        }
        if (!has_more) break;
    }
    if (is_oversized) frames.emplace_back();
    return frames;
}

}  // namespace fastqueue

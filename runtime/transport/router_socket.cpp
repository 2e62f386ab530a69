// router_socket.cpp -- see router_socket.hpp.
#include "transport/router_socket.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace fastqueue {

RouterSocket::RouterSocket(zmq::context_t& context, const std::string& address,
                           std::int64_t max_frame_bytes, const CurveServerOptions* curve)
    : socket_(context, zmq::socket_type::router), address_(address) {
    socket_.set(zmq::sockopt::router_mandatory, 1);
    socket_.set(zmq::sockopt::sndhwm, kHighWaterMark);
    socket_.set(zmq::sockopt::rcvhwm, kHighWaterMark);
    socket_.set(zmq::sockopt::linger, kLingerMs);
    // Before bind: a listener hands its options to the connections it
    // accepts as they are when it binds.
    socket_.set(zmq::sockopt::maxmsgsize, max_frame_bytes);
    if (curve != nullptr) make_curve_server(socket_, *curve);
    try {
        socket_.bind(address);
    } catch (const zmq::error_t& error) {
        throw std::runtime_error("cannot bind " + address + ": " + error.what());
    }
}

std::optional<Envelope> RouterSocket::receive() {
    while (true) {
        Envelope envelope;
        if (!socket_.recv(envelope.routing_id, zmq::recv_flags::dontwait)) {
            // Nothing left, and ZeroMQ took in its commands on the way: the
            // next message to arrive is announced.
            may_hold_unannounced_input_ = false;
            return std::nullopt;
        }
        may_hold_unannounced_input_ = true;
        bool has_more = envelope.routing_id.more();
        // One allocation for every frame of any protocol message.
        if (has_more) envelope.body.reserve(protocol::kMaxBodyFrames);
        bool is_oversized = false;
        while (has_more) {
            // The rest of a multipart message is already here once its first
            // frame is: ZeroMQ delivers messages whole.
            zmq::message_t frame;
            if (!socket_.recv(frame, zmq::recv_flags::none)) break;
            has_more = frame.more();
            // No protocol message has more frames: the rest are read and
            // dropped, so a message of millions of frames is not held twice.
            if (envelope.body.size() < protocol::kMaxBodyFrames) {
                envelope.body.push_back(std::move(frame));
            } else {
                is_oversized = true;
            }
        }
        // One frame too many makes decode() refuse it for its frame count.
        if (is_oversized) envelope.body.emplace_back();
        if (!envelope.body.empty()) return envelope;
        // A routing id alone: the peer sent an empty message. Nothing to answer.
        spdlog::debug("dropped an empty message on {}", address_);
    }
}

bool RouterSocket::send(const zmq::message_t& routing_id, protocol::Frames&& body) {
    // A send may take in the command that announces a message not yet read.
    may_hold_unannounced_input_ = true;
    try {
        zmq::message_t id_frame(routing_id.data(), routing_id.size());
        if (!socket_.send(id_frame, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
            spdlog::debug("reply on {} dropped: peer queue full", address_);
            return false;
        }
        for (std::size_t i = 0; i < body.size(); ++i) {
            const auto flags =
                i + 1 < body.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
            // Once the routing frame is accepted the rest of the message is too.
            socket_.send(body[i], flags);
        }
        return true;
    } catch (const zmq::error_t& error) {
        // EHOSTUNREACH: the peer disconnected. Its answer is dropped; the
        // task's record stays in the result cache.
        spdlog::debug("reply on {} dropped: {}", address_, error.what());
        return false;
    }
}

}  // namespace fastqueue

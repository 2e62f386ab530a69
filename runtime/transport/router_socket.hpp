// router_socket.hpp -- a bound ZeroMQ ROUTER socket as every server port of
// FastQueue uses it: mandatory routing (a reply to a peer that is gone fails
// instead of vanishing), high-water marks sized on purpose, non-blocking
// receive of one whole envelope, and sends that never block the I/O thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <zmq.hpp>

#include "protocol/codec.hpp"
#include "transport/curve_socket.hpp"

namespace fastqueue {

// One message received on a ROUTER: the peer's routing id and the body frames.
struct Envelope {
    zmq::message_t routing_id;
    protocol::Frames body;
};

class RouterSocket {
public:
    // Messages a port buffers per peer in each direction before it pushes
    // back. ZeroMQ's default (1,000) is far below what a busy client pipelines.
    static constexpr int kHighWaterMark = 100000;
    // How long closing waits to flush replies still queued.
    static constexpr int kLingerMs = 1000;

    RouterSocket() = default;
    // Creates the socket and binds it to address. A peer that sends a frame
    // larger than max_frame_bytes is disconnected by ZeroMQ before the frame
    // is buffered (ZMQ_MAXMSGSIZE; transport/frame_limits.hpp has each
    // port's). Throws std::runtime_error "cannot bind ADDRESS: REASON" when
    // the address is taken or invalid. With `curve`, the socket is a CURVE
    // server (transport/curve_socket.hpp) before it binds.
    RouterSocket(zmq::context_t& context, const std::string& address, std::int64_t max_frame_bytes,
                 const CurveServerOptions* curve = nullptr);

    // The next whole message, or std::nullopt when none is waiting. A message
    // without a routing id and at least one body frame is never returned. At
    // most protocol::kMaxBodyFrames body frames are kept: of a longer message
    // the rest are dropped and one empty frame is appended, so that decode()
    // refuses it for its frame count.
    std::optional<Envelope> receive();

    // Sends body to the peer. Returns false, and drops the message, when the
    // peer is gone or its queue is full; the caller's state is unaffected.
    bool send(const zmq::message_t& routing_id, protocol::Frames&& body);

    // True when the socket may hold input that its notification fd will not
    // announce (it was sent on, or received from without a receive that
    // found nothing, since the last call): InputPoller::wait's unannounced
    // flag for it. Clears the flag.
    bool take_unannounced_input() { return std::exchange(may_hold_unannounced_input_, false); }

    void* handle() { return socket_.handle(); }
    const std::string& address() const { return address_; }

private:
    zmq::socket_t socket_;
    std::string address_;
    bool may_hold_unannounced_input_ = false;
};

}  // namespace fastqueue

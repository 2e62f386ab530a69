// discovery.cpp -- the control plane's announcements on its discovery address
// (an XPUB socket) and the subscriber that finds a control plane from them.
//
// Discovery is best effort by design: PUB/SUB drops what nobody listens to,
// and a subscriber only sees announcements published after its subscription
// reached the publisher. That is why the control plane announces at a steady
// interval and why discover_control_plane waits for the next one instead of
// asking.
#include "discovery/discovery.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <utility>
#include <zmq_addon.hpp>

#include "protocol/codec.hpp"
#include "transport/frame_limits.hpp"
#include "transport/receive_frames.hpp"
#include "transport/wait_readable.hpp"

namespace fastqueue {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Announcements queued per subscriber before PUB drops the newest: a slow
// subscriber needs only the latest one, so a few are plenty.
constexpr int kAnnounceHighWaterMarkMessages = 16;
// Subscriptions taken in per peer between two reads: a subscriber sends one.
constexpr int kSubscriptionHighWaterMarkMessages = 16;
// Subscriptions read per read_subscriptions() call; the rest wait for the
// next turn of the owner's loop.
constexpr int kSubscriptionReadBatch = 256;

}  // namespace

DiscoveryAnnouncer::DiscoveryAnnouncer(zmq::context_t& context,
                                       const std::string& discovery_address,
                                       protocol::Announce announcement,
                                       const CurveServerOptions* curve)
    : socket_(context, zmq::socket_type::xpub),
      address_(discovery_address),
      announcement_(std::move(announcement)) {
    // Announcements are worthless once stale: never hold up shutdown for them.
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::sndhwm, kAnnounceHighWaterMarkMessages);
    socket_.set(zmq::sockopt::rcvhwm, kSubscriptionHighWaterMarkMessages);
    socket_.set(zmq::sockopt::xpub_manual, 1);
    // Before bind, like every listener's options (router_socket.cpp).
    socket_.set(zmq::sockopt::maxmsgsize, kDiscoveryPublisherFrameBytes);
    if (curve != nullptr) make_curve_server(socket_, *curve);
    try {
        socket_.bind(discovery_address);
    } catch (const zmq::error_t& error) {
        throw std::runtime_error("cannot bind " + discovery_address + ": " + error.what());
    }
    is_bound_ = true;
}

void DiscoveryAnnouncer::announce() {
    if (!is_bound_ && !try_bind()) return;
    protocol::Frames frames = protocol::encode(protocol::Announce(announcement_));
    // A PUB socket drops rather than blocks when a subscriber lags; dontwait
    // makes sure of it, and a dropped announcement is replaced by the next.
    (void)zmq::send_multipart(socket_, frames, zmq::send_flags::dontwait);
    may_hold_unannounced_input_ = true;
}

void DiscoveryAnnouncer::read_subscriptions() {
    may_hold_unannounced_input_ = true;
    for (int i = 0; i < kSubscriptionReadBatch; ++i) {
        zmq::message_t message;
        if (!socket_.recv(message, zmq::recv_flags::dontwait)) {
            may_hold_unannounced_input_ = false;
            return;
        }
        // Byte 1 then the topic: a subscription. Anything else (an
        // unsubscription, or data an XSUB peer sent) changes nothing here.
        const auto* bytes = static_cast<const unsigned char*>(message.data());
        if (message.size() == 0 || bytes[0] != 1) continue;
        // Applies to the peer this subscription came from.
        socket_.set(zmq::sockopt::subscribe, "");
        if (message.size() > 1 && ++foreign_subscriptions_ >= kMaxForeignSubscriptions) {
            close_connections();
            return;
        }
    }
}

void DiscoveryAnnouncer::close_connections() {
    spdlog::warn(
        "discovery: {} subscriptions with a topic (FastQueue subscribers send none); "
        "closing every connection on {} to free them",
        foreign_subscriptions_, address_);
    foreign_subscriptions_ = 0;
    ++resets_;
    try {
        // Unbinding a listener closes the connections it accepted.
        socket_.unbind(socket_.get(zmq::sockopt::last_endpoint));
    } catch (const zmq::error_t& error) {
        spdlog::warn("discovery: cannot unbind {}: {}", address_, error.what());
    }
    is_bound_ = false;
    (void)try_bind();
}

bool DiscoveryAnnouncer::try_bind() {
    // ZeroMQ closes the old listener in its I/O thread, so the port may not
    // be free yet right after unbind: then the next announce() tries again.
    try {
        socket_.bind(address_);
        is_bound_ = true;
    } catch (const zmq::error_t& error) {
        spdlog::warn("discovery: cannot bind {} again yet ({}); retrying at the next announcement",
                     address_, error.what());
    }
    return is_bound_;
}

// A discovery address that cannot be connected to (not a ZeroMQ endpoint)
// throws std::runtime_error "cannot connect to ADDRESS: REASON".
std::optional<protocol::Announce> discover_control_plane(const std::string& discovery_address,
                                                         std::chrono::milliseconds timeout,
                                                         const CurveClientOptions* curve) {
    const auto deadline = SteadyClock::now() + timeout;
    // Declared first so that it is destroyed last, after the socket.
    zmq::context_t context{1};
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, kSmallFrameBytes);
    socket.set(zmq::sockopt::subscribe, "");
    if (curve != nullptr) make_curve_client(socket, *curve);
    try {
        socket.connect(discovery_address);
    } catch (const zmq::error_t& error) {
        throw std::runtime_error("cannot connect to " + discovery_address + ": " + error.what());
    }

    // Each pass reads one message, so however much arrives the loop ends by
    // the deadline.
    while (wait_readable(socket, deadline)) {
        auto frames = receive_frames(socket, protocol::kMaxBodyFrames);
        if (!frames) continue;
        protocol::DecodeResult decoded = protocol::decode(*frames);
        if (!decoded.message) continue;  // not protocol 1, or malformed: someone else's traffic
        if (auto* announce = std::get_if<protocol::Announce>(&*decoded.message)) {
            return std::move(*announce);
        }
    }
    return std::nullopt;
}

}  // namespace fastqueue

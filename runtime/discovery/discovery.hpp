// discovery.hpp -- finding a control plane through its discovery address.
//
// The control plane binds an XPUB socket on --discovery-address and publishes
// an ANNOUNCE (docs/protocol.md) every announce interval. A subworker or a
// client command given only --discovery-address subscribes and takes the
// first valid announcement.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <zmq.hpp>

#include "protocol/messages.hpp"
#include "transport/curve_socket.hpp"

namespace fastqueue {

// Owned by the control plane's I/O thread: publishes announcements.
//
// Subscriptions are bounded. The socket is an XPUB in manual mode: each
// subscription a peer sends is handed to read_subscriptions(), which
// subscribes that peer to everything and nothing else, so what is matched
// stays one entry per peer. ZeroMQ still keeps each distinct topic a peer
// subscribed to until that peer disconnects; FastQueue's subscribers send
// only the empty topic, so any other is foreign, and after
// kMaxForeignSubscriptions of them the announcer closes every connection
// (unbind and bind again), which frees them all. Subscribers reconnect on
// their own and miss at most an announcement or two.
class DiscoveryAnnouncer {
public:
    // Subscriptions with a topic taken before every connection is closed:
    // with topics of at most kDiscoveryPublisherFrameBytes, a few MiB.
    static constexpr int kMaxForeignSubscriptions = 128;

    // Binds an XPUB socket at discovery_address. Throws std::runtime_error
    // "cannot bind ADDRESS: REASON" (e.g. another control plane announces there).
    // With `curve`, the socket is a CURVE server (transport/curve_socket.hpp).
    DiscoveryAnnouncer(zmq::context_t& context, const std::string& discovery_address,
                       protocol::Announce announcement, const CurveServerOptions* curve = nullptr);
    // Publishes the announcement now. Never blocks. After a reset whose bind
    // failed (the port not yet released), binds again first.
    void announce();
    // Takes in the subscriptions peers sent (see the class comment). The
    // owner calls it whenever the socket is readable. Never blocks.
    void read_subscriptions();

    // As RouterSocket::take_unannounced_input, for InputPoller.
    bool take_unannounced_input() { return std::exchange(may_hold_unannounced_input_, false); }
    void* handle() { return socket_.handle(); }
    // How many times every connection was closed for foreign subscriptions.
    std::uint64_t resets() const { return resets_; }

private:
    void close_connections();
    // Binds address_; false (logged) when the port is not free yet.
    bool try_bind();

    zmq::socket_t socket_;
    std::string address_;
    protocol::Announce announcement_;
    int foreign_subscriptions_ = 0;
    std::uint64_t resets_ = 0;
    bool is_bound_ = false;
    bool may_hold_unannounced_input_ = false;
};

// Subscribes to discovery_address and waits up to `timeout` for an
// announcement; std::nullopt when none arrived. Invalid messages are skipped.
// Throws std::runtime_error "cannot connect to ADDRESS: REASON" when the
// address is not a ZeroMQ endpoint. With `curve`, subscribes as a CURVE
// client of the control plane's key.
std::optional<protocol::Announce> discover_control_plane(const std::string& discovery_address,
                                                         std::chrono::milliseconds timeout,
                                                         const CurveClientOptions* curve = nullptr);

}  // namespace fastqueue

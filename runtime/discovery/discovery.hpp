// discovery.hpp -- finding a control plane through its discovery address.
//
// The control plane binds a PUB socket on --discovery-address and publishes
// an ANNOUNCE (docs/protocol.md) every announce interval. A subworker or a
// client command given only --discovery-address subscribes and takes the
// first valid announcement.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "protocol/messages.hpp"

namespace fastqueue {

// Owned by the control plane's I/O thread: publishes announcements.
class DiscoveryAnnouncer {
public:
    // Binds a PUB socket at discovery_address. Throws std::runtime_error
    // "cannot bind ADDRESS: REASON" (e.g. another control plane announces there).
    DiscoveryAnnouncer(zmq::context_t& context, const std::string& discovery_address,
                       protocol::Announce announcement);
    // Publishes the announcement now. Never blocks.
    void announce();

private:
    zmq::socket_t socket_;
    protocol::Announce announcement_;
};

// Subscribes to discovery_address and waits up to `timeout` for an
// announcement; std::nullopt when none arrived. Invalid messages are skipped.
// Throws std::runtime_error "cannot connect to ADDRESS: REASON" when the
// address is not a ZeroMQ endpoint.
std::optional<protocol::Announce> discover_control_plane(const std::string& discovery_address,
                                                          std::chrono::milliseconds timeout);

}  // namespace fastqueue

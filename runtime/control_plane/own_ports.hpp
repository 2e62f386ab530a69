// own_ports.hpp -- the ports a control plane listens on, and whether a
// subworker's ports would be one of them. The control plane connects to the
// ports a REGISTER names (base+0..3 of its address); a REGISTER naming the
// control plane's own ports would have it send tasks to itself, so it is
// refused.
#pragma once

#include <string>
#include <vector>

#include "common/endpoint.hpp"
#include "config/settings.hpp"

namespace fastqueue {

// One port a control plane listens on, and what for ("base+4", ...).
struct OwnPort {
    Endpoint endpoint;
    std::string use;
};

// base+0..4 of settings.base_address, the subworker management port on the
// same host, and the discovery address.
std::vector<OwnPort> control_plane_own_ports(const ControlPlaneSettings& settings);

// Why a subworker whose base address is subworker_base (ports base+0..3)
// would have this control plane connect to one of its own ports; "" when it
// would not. Hosts are the same when their text is, when both are loopback,
// or when the control plane binds every interface and the subworker's host
// is loopback. Precondition: subworker_base.port + 3 <= 65535.
std::string own_port_overlap(const ControlPlaneSettings& settings, const Endpoint& subworker_base);

}  // namespace fastqueue

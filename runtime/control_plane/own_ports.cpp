// own_ports.cpp -- see own_ports.hpp.
#include "control_plane/own_ports.hpp"

#include "config/control_plane_options.hpp"
#include "fastqueue/task.hpp"

namespace fastqueue {

namespace {

// Ports base+0..3 of a subworker.
constexpr int kSubworkerPortCount = kPriorityCount;

bool is_same_listening_host(const std::string& own_host, const std::string& subworker_host) {
    return is_same_host(own_host, subworker_host) ||
           (is_every_interface_host(own_host) && is_loopback_host(subworker_host));
}

}  // namespace

std::vector<OwnPort> control_plane_own_ports(const ControlPlaneSettings& settings) {
    std::vector<OwnPort> ports;
    if (auto base = parse_endpoint(settings.base_address)) {
        for (int offset = 0; offset <= kQueryPortOffset; ++offset) {
            ports.push_back({base->with_port_offset(offset), "base+" + std::to_string(offset)});
        }
        ports.push_back({Endpoint{base->host, effective_subworker_port(settings)},
                         "subworker management port"});
    }
    if (auto discovery = parse_endpoint(settings.discovery_address)) {
        ports.push_back({*discovery, "discovery port"});
    }
    return ports;
}

std::string own_port_overlap(const ControlPlaneSettings& settings, const Endpoint& subworker_base) {
    for (const OwnPort& own : control_plane_own_ports(settings)) {
        const int offset = own.endpoint.port - subworker_base.port;
        if (offset < 0 || offset >= kSubworkerPortCount) continue;
        if (!is_same_listening_host(own.endpoint.host, subworker_base.host)) continue;
        return "its port base+" + std::to_string(offset) + " (" +
               subworker_base.with_port_offset(offset).to_string() +
               ") is the control plane's own " + own.use + " (" + own.endpoint.to_string() + ")";
    }
    return {};
}

}  // namespace fastqueue

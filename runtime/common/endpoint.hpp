// endpoint.hpp -- parsing and validation of ZeroMQ TCP addresses such as
// "tcp://127.0.0.1:5555", and the port arithmetic of the port map
// (base+0..3 priority ports, base+4 queries, base+5 subworker management).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fastqueue {

struct Endpoint {
    std::string host;  // "127.0.0.1", "localhost", "*" or "[::1]" style
    int port = 0;      // 1..65535

    // "tcp://HOST:PORT"
    std::string to_string() const;
    // The same host with port + offset. Precondition: the sum is <= 65535.
    Endpoint with_port_offset(int offset) const;
};

// Parses "tcp://HOST:PORT". Returns std::nullopt and sets *error (when not
// null) to a one-line reason for anything else: another transport, no port,
// a port outside 1..65535, an empty host.
std::optional<Endpoint> parse_endpoint(std::string_view address, std::string* error = nullptr);

// Port offsets from a base address.
inline constexpr int kQueryPortOffset = 4;
inline constexpr int kSubworkerPortOffset = 5;
inline constexpr int kPortsPerControlPlane = 6;  // base+0 .. base+5

}  // namespace fastqueue

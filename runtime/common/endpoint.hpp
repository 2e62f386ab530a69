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

// The longest DNS name and label a HOST may be (RFC 1123).
inline constexpr std::size_t kMaxHostNameBytes = 253;
inline constexpr std::size_t kMaxHostLabelBytes = 63;

// Parses "tcp://HOST:PORT". HOST is one of
//   - "*": every interface (only a bind can use it),
//   - an IPv4 address in dotted-quad form, each part 0..255,
//   - an IPv6 address in brackets, "[::1]", as inet_pton reads it,
//   - a DNS name: dot-separated labels of 1..63 letters, digits, '-' and
//     '_', none starting or ending with '-', at most 253 bytes in all, the
//     last label not all digits.
// Returns std::nullopt and sets *error (when not null) to a one-line reason
// for anything else: another transport, no port, a port outside 1..65535,
// an empty or malformed host.
std::optional<Endpoint> parse_endpoint(std::string_view address, std::string* error = nullptr);

// Classes of a parsed HOST (an IPv4-mapped IPv6 address counts as its IPv4
// address). A DNS name is none of these, except "localhost", which is
// loopback.
// "*", 0.0.0.0 or [::]: what a bind to every interface names.
bool is_every_interface_host(std::string_view host);
// 127.0.0.0/8, [::1] or localhost.
bool is_loopback_host(std::string_view host);
// 224.0.0.0/4 or ff00::/8.
bool is_multicast_host(std::string_view host);
// The same text, or both loopback: two names of this machine's loopback.
bool is_same_host(std::string_view a, std::string_view b);
// Why a peer cannot connect to HOST (a one-line reason), or "" when it can
// as far as its text tells: "*", an unspecified address and a multicast
// address cannot be connected to.
std::string unconnectable_host_reason(std::string_view host);

// Port offsets from a base address.
inline constexpr int kQueryPortOffset = 4;
inline constexpr int kSubworkerPortOffset = 5;
inline constexpr int kPortsPerControlPlane = 6;  // base+0 .. base+5

}  // namespace fastqueue

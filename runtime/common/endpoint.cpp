// endpoint.cpp -- "tcp://HOST:PORT" addresses as given on the command line,
// in the config file, by clients and by peers on the wire. Only TCP is accepted because the port
// map (base+0..5) is port arithmetic; every rejection says what was wrong so
// that a user can fix the flag that carried it.
#include "common/endpoint.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace fastqueue {

namespace {

constexpr std::string_view kTcpScheme = "tcp://";

bool fail(std::string* error, std::string message) {
    if (error != nullptr) *error = std::move(message);
    return false;
}

bool is_ascii_alphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// IPv4 in dotted-quad form (each part 0..255), as inet_pton reads it.
std::optional<in_addr> parse_ipv4(std::string_view text) {
    if (text.empty() || text.size() > INET_ADDRSTRLEN) return std::nullopt;
    const std::string terminated(text);
    in_addr address{};
    if (inet_pton(AF_INET, terminated.c_str(), &address) != 1) return std::nullopt;
    return address;
}

// IPv6 text without brackets, as inet_pton reads it.
std::optional<in6_addr> parse_ipv6(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    const std::string terminated(text);
    in6_addr address{};
    if (inet_pton(AF_INET6, terminated.c_str(), &address) != 1) return std::nullopt;
    return address;
}

// A DNS name after RFC 1123: dot-separated labels of 1..kMaxHostLabelBytes
// letters, digits, '-' and '_', none starting or ending with '-', at most
// kMaxHostNameBytes in all. '_' is not in RFC 1123 but is common in the
// names container runtimes give their services, which ZeroMQ resolves like
// any other. The last label is not all digits (RFC 1123 2.1): "1.2.3" and
// "256.0.0.1" are malformed IPv4 addresses, not names.
bool is_valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > kMaxHostNameBytes) return false;
    std::size_t label_start = 0;
    while (true) {
        const std::size_t dot = host.find('.', label_start);
        const std::string_view label =
            host.substr(label_start, dot == std::string_view::npos ? dot : dot - label_start);
        if (label.empty() || label.size() > kMaxHostLabelBytes) return false;
        if (label.front() == '-' || label.back() == '-') return false;
        for (char c : label) {
            if (!is_ascii_alphanumeric(c) && c != '-' && c != '_') return false;
        }
        if (dot == std::string_view::npos) {
            return !std::all_of(label.begin(), label.end(), is_ascii_digit);
        }
        label_start = dot + 1;
    }
}

// HOST is "*" (bind to every interface), an IPv4 address in dotted-quad
// form, an IPv6 address in brackets (both as inet_pton reads them), or a
// DNS name (is_valid_host_name). Anything else would pass here and fail
// later inside zmq_connect, or connect somewhere nobody meant.
bool is_valid_host(std::string_view host) {
    if (host == "*") return true;
    if (host.size() >= 2 && host.front() == '[') {
        return host.back() == ']' && parse_ipv6(host.substr(1, host.size() - 2)).has_value();
    }
    if (parse_ipv4(host)) return true;
    return is_valid_host_name(host);
}

// The address of a bracketed IPv6 host or an IPv4 host, as IPv4 when it is
// one (also an IPv4-mapped IPv6 address), else IPv6; neither for a name or *.
struct HostAddress {
    std::optional<in_addr> v4;
    std::optional<in6_addr> v6;
};

HostAddress host_address(std::string_view host) {
    HostAddress address;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        address.v6 = parse_ipv6(host.substr(1, host.size() - 2));
        if (address.v6 && IN6_IS_ADDR_V4MAPPED(&*address.v6)) {
            in_addr v4{};
            std::memcpy(&v4, &address.v6->s6_addr[12], sizeof v4);
            address.v4 = v4;
            address.v6.reset();
        }
    } else {
        address.v4 = parse_ipv4(host);
    }
    return address;
}

// The first byte of an IPv4 address in network order.
std::uint8_t first_octet(const in_addr& address) {
    return reinterpret_cast<const std::uint8_t*>(&address.s_addr)[0];
}

}  // namespace

bool is_every_interface_host(std::string_view host) {
    if (host == "*") return true;
    const HostAddress address = host_address(host);
    if (address.v4) return address.v4->s_addr == htonl(INADDR_ANY);
    return address.v6 && IN6_IS_ADDR_UNSPECIFIED(&*address.v6);
}

bool is_loopback_host(std::string_view host) {
    if (host == "localhost") return true;
    const HostAddress address = host_address(host);
    if (address.v4) return first_octet(*address.v4) == 127;
    return address.v6 && IN6_IS_ADDR_LOOPBACK(&*address.v6);
}

bool is_multicast_host(std::string_view host) {
    const HostAddress address = host_address(host);
    if (address.v4) return first_octet(*address.v4) >= 224 && first_octet(*address.v4) <= 239;
    return address.v6 && IN6_IS_ADDR_MULTICAST(&*address.v6);
}

bool is_same_host(std::string_view a, std::string_view b) {
    return a == b || (is_loopback_host(a) && is_loopback_host(b));
}

std::string unconnectable_host_reason(std::string_view host) {
    if (host == "*") return "the wildcard host * can only be bound";
    if (is_every_interface_host(host)) {
        return "the unspecified address " + std::string(host) + " can only be bound";
    }
    if (is_multicast_host(host)) return std::string(host) + " is a multicast address";
    return {};
}

std::string Endpoint::to_string() const {
    return std::string(kTcpScheme) + host + ":" + std::to_string(port);
}

Endpoint Endpoint::with_port_offset(int offset) const { return Endpoint{host, port + offset}; }

std::optional<Endpoint> parse_endpoint(std::string_view address, std::string* error) {
    std::string quoted = "'" + std::string(address) + "'";
    if (address.substr(0, kTcpScheme.size()) != kTcpScheme) {
        fail(error, "address " + quoted + " must start with tcp:// (only TCP is supported)");
        return std::nullopt;
    }
    std::string_view rest = address.substr(kTcpScheme.size());
    auto colon = rest.rfind(':');
    // For "[::1]" the port separator must come after the closing bracket.
    if (colon == std::string_view::npos ||
        (!rest.empty() && rest.front() == '[' && colon < rest.find(']'))) {
        fail(error, "address " + quoted + " has no port (expected tcp://HOST:PORT)");
        return std::nullopt;
    }
    std::string_view host = rest.substr(0, colon);
    std::string_view port_text = rest.substr(colon + 1);
    if (host.empty()) {
        fail(error, "address " + quoted + " has an empty host (expected tcp://HOST:PORT)");
        return std::nullopt;
    }
    if (!is_valid_host(host)) {
        fail(error, "address " + quoted + " has an invalid host '" + std::string(host) + "'");
        return std::nullopt;
    }
    if (port_text.empty()) {
        fail(error, "address " + quoted + " has no port (expected tcp://HOST:PORT)");
        return std::nullopt;
    }
    for (char c : port_text) {
        if (c < '0' || c > '9') {
            fail(error, "address " + quoted + " has an invalid port '" + std::string(port_text) +
                            "' (expected a number in 1..65535)");
            return std::nullopt;
        }
    }
    long port = 0;
    // Six or more digits is out of range whatever they are; stop before overflow.
    for (char c : port_text) port = port > 65535 ? port : port * 10 + (c - '0');
    if (port < 1 || port > 65535) {
        fail(error,
             "address " + quoted + " has port " + std::string(port_text) + " outside 1..65535");
        return std::nullopt;
    }
    return Endpoint{std::string(host), static_cast<int>(port)};
}

}  // namespace fastqueue

// endpoint.cpp -- "tcp://HOST:PORT" addresses as given on the command line,
// in the config file and by clients. Only TCP is accepted because the port
// map (base+0..5) is port arithmetic; every rejection says what was wrong so
// that a user can fix the flag that carried it.
#include "common/endpoint.hpp"

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

// HOST is a name or IPv4 address, "*" (bind to every interface), or an IPv6
// address in brackets. A name is what ZeroMQ's connect accepts: a letter or
// digit, then letters, digits, '.', '-' and '_'. Anything else would pass
// here and fail later inside zmq_connect (EINVAL), e.g. when the control
// plane first dispatches to a subworker that registered such an address.
bool is_valid_host(std::string_view host) {
    if (host.empty()) return false;
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return false;
        for (char c : host.substr(1, host.size() - 2)) {
            bool is_hex =
                (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!is_hex && c != ':' && c != '.') return false;
        }
        return true;
    }
    if (host == "*") return true;
    if (!is_ascii_alphanumeric(host.front())) return false;
    for (char c : host) {
        if (!is_ascii_alphanumeric(c) && c != '.' && c != '-' && c != '_') return false;
    }
    return true;
}

}  // namespace

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

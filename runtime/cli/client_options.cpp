// client_options.cpp -- see client_options.hpp.
#include "cli/client_options.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "cli/exit_codes.hpp"
#include "common/endpoint.hpp"
#include "discovery/discovery.hpp"
#include "transport/curve_socket.hpp"

namespace fastqueue::cli {

namespace {

// The announced base address of the control plane at discovery_address.
std::string discover_base_address(const std::string& discovery_address, double timeout_seconds,
                                  std::chrono::milliseconds timeout, const ClientOptions& options) {
    std::string error;
    auto endpoint = parse_endpoint(discovery_address, &error);
    if (!endpoint || endpoint->host == "*") {
        throw ClientError(ClientErrorKind::invalid_argument,
                          "invalid --discovery-address '" + discovery_address + "': " +
                              (endpoint ? "host '*' can only be bound; name a host" : error));
    }
    std::optional<protocol::Announce> announcement;
    try {
        std::optional<CurveClientOptions> curve;
        if (!options.curve_secret_key_file.empty() && !options.control_plane_key_file.empty()) {
            curve = read_curve_client_options(options.curve_secret_key_file,
                                              options.control_plane_key_file);
        }
        announcement =
            discover_control_plane(discovery_address, timeout, curve ? &*curve : nullptr);
    } catch (const std::runtime_error& failure) {
        throw ClientError(ClientErrorKind::invalid_argument, failure.what());
    }
    if (!announcement) {
        std::ostringstream message;
        message << "no control plane announced itself on " << discovery_address << " within "
                << timeout_seconds << " s";
        throw ClientError(ClientErrorKind::unreachable, message.str());
    }
    return announcement->base_address;
}

}  // namespace

void ClientFlags::declare(CLI::App& subcommand) {
    control_plane_address_option_ =
        subcommand
            .add_option("--control-plane-address", control_plane_address,
                        "Base address of the control plane")
            ->envname("FASTQUEUE_CONTROL_PLANE_ADDRESS")
            ->capture_default_str();
    subcommand
        .add_option("--discovery-address", discovery_address,
                    "Find the control plane through its announcements here (used when no "
                    "control plane address is given)")
        ->envname("FASTQUEUE_DISCOVERY_ADDRESS");
    subcommand
        .add_option("--timeout", timeout_seconds,
                    "Seconds to wait for the control plane (and, when waiting, for the result)")
        ->check(CLI::Range(0.001, 31536000.0))
        ->capture_default_str();
    subcommand
        .add_option("--curve-secret-key", curve_secret_key,
                    "This client's CURVE certificate (.key_secret): talk to a CURVE control plane")
        ->envname("FASTQUEUE_CURVE_SECRET_KEY");
    subcommand
        .add_option("--control-plane-key", control_plane_key,
                    "The control plane's public CURVE certificate (.key)")
        ->envname("FASTQUEUE_CONTROL_PLANE_KEY");
}

ClientOptions ClientFlags::to_options() const {
    ClientOptions options;
    options.timeout =
        std::chrono::milliseconds(static_cast<long long>(std::llround(timeout_seconds * 1000.0)));
    options.curve_secret_key_file = curve_secret_key;
    options.control_plane_key_file = control_plane_key;
    const bool is_address_given =
        control_plane_address_option_ != nullptr && control_plane_address_option_->count() > 0;
    options.control_plane_address =
        !is_address_given && !discovery_address.empty()
            ? discover_base_address(discovery_address, timeout_seconds, options.timeout, options)
            : control_plane_address;
    return options;
}

int report_client_error(const std::string& command, const ClientError& error) {
    std::cerr << "fastqueue " << command << ": " << error.what() << "\n";
    switch (error.kind()) {
        case ClientErrorKind::unreachable:
            return kExitUnreachable;
        case ClientErrorKind::result_timeout:
            return kExitResultTimeout;
        case ClientErrorKind::busy:
            return kExitBusy;
        case ClientErrorKind::refused:
            return kExitRefused;
        case ClientErrorKind::invalid_argument:
            return kExitUsage;
        case ClientErrorKind::protocol:
            return kExitFailure;
        case ClientErrorKind::auth_failed:
            return kExitAuthFailed;
    }
    return kExitFailure;
}

}  // namespace fastqueue::cli

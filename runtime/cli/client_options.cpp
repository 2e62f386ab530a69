// client_options.cpp -- see client_options.hpp.
#include "cli/client_options.hpp"

#include <chrono>
#include <cmath>
#include <iostream>

#include "cli/exit_codes.hpp"

namespace fastqueue::cli {

void ClientFlags::declare(CLI::App& subcommand) {
    subcommand
        .add_option("--control-plane-address", control_plane_address,
                    "Base address of the control plane")
        ->envname("FASTQUEUE_CONTROL_PLANE_ADDRESS")
        ->capture_default_str();
    subcommand
        .add_option("--timeout", timeout_seconds,
                    "Seconds to wait for the control plane (and, when waiting, for the result)")
        ->check(CLI::Range(0.001, 31536000.0))
        ->capture_default_str();
}

ClientOptions ClientFlags::to_options() const {
    ClientOptions options;
    options.control_plane_address = control_plane_address;
    options.timeout = std::chrono::milliseconds(static_cast<long long>(std::llround(timeout_seconds * 1000.0)));
    return options;
}

int report_client_error(const std::string& command, const ClientError& error) {
    std::cerr << "fastqueue " << command << ": " << error.what() << "\n";
    switch (error.kind()) {
        case ClientErrorKind::unreachable: return kExitUnreachable;
        case ClientErrorKind::result_timeout: return kExitResultTimeout;
        case ClientErrorKind::refused: return kExitRefused;
        case ClientErrorKind::invalid_argument: return kExitUsage;
        case ClientErrorKind::protocol: return kExitFailure;
    }
    return kExitFailure;
}

}  // namespace fastqueue::cli

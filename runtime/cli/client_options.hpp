// client_options.hpp -- the flags every client command shares
// (--control-plane-address, --discovery-address, --timeout), how they become
// the client's options, and how a client error becomes an exit code and one
// line on stderr.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "fastqueue/client.hpp"

namespace fastqueue::cli {

struct ClientFlags {
    std::string control_plane_address = "tcp://127.0.0.1:5555";
    std::string discovery_address;  // empty: not given
    double timeout_seconds = 30.0;
    std::string curve_secret_key;   // this client's .key_secret; empty: plaintext
    std::string control_plane_key;  // the control plane's public .key

    // Declares --control-plane-address (env FASTQUEUE_CONTROL_PLANE_ADDRESS),
    // --discovery-address (env FASTQUEUE_DISCOVERY_ADDRESS), --timeout,
    // --curve-secret-key (env FASTQUEUE_CURVE_SECRET_KEY) and
    // --control-plane-key (env FASTQUEUE_CONTROL_PLANE_KEY) on the
    // subcommand. The subcommand must outlive this object's use.
    void declare(CLI::App& subcommand);

    // The client's options, after a successful parse. When the control plane
    // address was not given (neither flag nor environment) but a discovery
    // address was, this waits up to the timeout for the control plane's
    // announcement there and uses the announced base address; it throws
    // ClientError unreachable, naming the discovery address, when none came,
    // and invalid_argument when the discovery address is not tcp://HOST:PORT.
    // Otherwise it does no I/O.
    ClientOptions to_options() const;

private:
    // Set by declare(); owned by the subcommand. Tell whether the address was
    // given explicitly rather than left at its default.
    const CLI::Option* control_plane_address_option_ = nullptr;
};

// Prints "fastqueue COMMAND: MESSAGE" on stderr and returns the exit code for
// the error's kind.
int report_client_error(const std::string& command, const ClientError& error);

}  // namespace fastqueue::cli

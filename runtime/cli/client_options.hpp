// client_options.hpp -- the flags every client command shares
// (--control-plane-address, --timeout) and how a client error becomes an
// exit code and one line on stderr.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "fastqueue/client.hpp"

namespace fastqueue::cli {

struct ClientFlags {
    std::string control_plane_address = "tcp://127.0.0.1:5555";
    double timeout_seconds = 30.0;

    // Declares --control-plane-address (env FASTQUEUE_CONTROL_PLANE_ADDRESS)
    // and --timeout on the subcommand.
    void declare(CLI::App& subcommand);
    ClientOptions to_options() const;
};

// Prints "fastqueue COMMAND: MESSAGE" on stderr and returns the exit code for
// the error's kind.
int report_client_error(const std::string& command, const ClientError& error);

}  // namespace fastqueue::cli

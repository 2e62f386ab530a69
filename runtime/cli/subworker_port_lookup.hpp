// subworker_port_lookup.hpp -- how a subworker given --control-plane-address
// learns where to register: it asks the control plane's query port (base+4)
// with WORKERS, whose reply names the control plane's subworker port
// (docs/protocol.md, WORKERS_REPLY's control_plane.subworker_port). A control
// plane started with another --subworker-port than base+5 is then found
// without the subworker being told.
#pragma once

#include <optional>
#include <string>

namespace fastqueue::cli {

// Asks the control plane at control_plane_address (a valid tcp://HOST:PORT
// base address) for its subworker port until it answers, logging every
// kLookupLogInterval where it asks and what to check. A control plane too old
// to report the port is taken to use base+5. Returns std::nullopt when
// SIGINT or SIGTERM came first (the caller must have blocked them, see
// shutdown_signals.hpp).
std::optional<int> ask_subworker_port(const std::string& control_plane_address);

}  // namespace fastqueue::cli

// subworker_port_lookup.cpp -- see subworker_port_lookup.hpp.
#include "cli/subworker_port_lookup.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "cli/shutdown_signals.hpp"
#include "common/endpoint.hpp"
#include "fastqueue/client.hpp"

namespace fastqueue::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long one WORKERS query waits for its answer.
constexpr std::chrono::milliseconds kLookupAttemptTimeout{1000};
// The pause between queries (a stop signal ends it at once).
constexpr std::chrono::milliseconds kLookupRetryPause{250};
// How often a lookup without an answer says so.
constexpr std::chrono::seconds kLookupLogInterval{5};

}  // namespace

std::optional<int> ask_subworker_port(const std::string& control_plane_address) {
    const auto base = parse_endpoint(control_plane_address);
    const int default_port = base ? base->port + kSubworkerPortOffset : 0;
    const std::string query_address =
        base ? base->with_port_offset(kQueryPortOffset).to_string() : control_plane_address;
    spdlog::info("asking the control plane's query port at {} where subworkers register",
                 query_address);
    const auto started = SteadyClock::now();
    auto next_log = started + kLookupLogInterval;
    while (true) {
        ClientOptions options;
        options.control_plane_address = control_plane_address;
        options.timeout = kLookupAttemptTimeout;
        try {
            Client client(options);
            const auto status = client.get_subworker_status();
            if (status.control_plane && status.control_plane->subworker_port) {
                const int port = static_cast<int>(*status.control_plane->subworker_port);
                spdlog::info("the control plane at {} takes registrations on port {}",
                             control_plane_address, port);
                return port;
            }
            spdlog::info(
                "the control plane at {} does not name its subworker port (an earlier release): "
                "registering at base+5, port {}",
                control_plane_address, default_port);
            return default_port;
        } catch (const ClientError& error) {
            if (error.kind() != ClientErrorKind::unreachable) {
                spdlog::warn(
                    "asking {} for its subworker port failed ({}): registering at "
                    "base+5, port {}",
                    query_address, error.what(), default_port);
                return default_port;
            }
        }
        if (SteadyClock::now() >= next_log) {
            const auto waited =
                std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started);
            spdlog::warn(
                "no answer for {} s from the control plane's query port at {}, which tells "
                "this subworker where to register: check that a control plane runs with "
                "--base-address {} and that its port base+4 can be reached from here",
                waited.count(), query_address, control_plane_address);
            next_log += kLookupLogInterval;
        }
        if (wait_for_shutdown_signal(kLookupRetryPause) != 0) return std::nullopt;
    }
}

}  // namespace fastqueue::cli

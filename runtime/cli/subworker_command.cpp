// subworker_command.cpp -- `fastqueue subworker`: resolves the configuration,
// loads the plugins (before binding any port, as the control plane does),
// finds the control plane through discovery when no --control-plane-address
// is given (else asks the control plane where subworkers register), starts
// the subworker and turns SIGINT/SIGTERM into a polite stop.
//
// Exit status: 0 after a clean stop; 1 when a plugin fails to load, a port
// cannot be bound or the control plane refuses the registration; 2 for a
// configuration error (including a missing --worker-id); 3 when discovery
// finds no control plane.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/role_runner.hpp"
#include "cli/shutdown_signals.hpp"
#include "cli/subworker_port_lookup.hpp"
#include "common/endpoint.hpp"
#include "common/logging.hpp"
#include "config/subworker_options.hpp"
#include "discovery/discovery.hpp"
#include "subworker/subworker.hpp"

namespace fastqueue::cli {
namespace {

// How long a subworker without --control-plane-address listens for an
// announcement before it gives up.
constexpr auto kDiscoveryTimeout = std::chrono::seconds(10);

// Fills in the control plane's address from its announcement. A control
// plane bound to every interface announces "*" or "0.0.0.0", which cannot be
// connected to: the host the announcement came from is used instead. With
// CURVE only a publisher holding the control plane's key is heard (any other
// fails the handshake). Throws std::runtime_error for an unreadable key file.
bool discover(SubworkerSettings& settings) {
    spdlog::info("no --control-plane-address: listening for a control plane on {} (up to {} s)",
                 settings.discovery_address, kDiscoveryTimeout.count());
    std::optional<CurveClientOptions> curve;
    if (!settings.curve_secret_key.empty()) {
        curve = read_curve_client_options(settings.curve_secret_key, settings.control_plane_key);
    }
    auto announcement = discover_control_plane(settings.discovery_address, kDiscoveryTimeout,
                                               curve ? &*curve : nullptr);
    if (!announcement) return false;
    auto base = parse_endpoint(announcement->base_address);
    if (!base) {
        spdlog::error("control plane '{}' announced an invalid base address '{}'",
                      announcement->worker_id, announcement->base_address);
        return false;
    }
    if (base->host == "*" || base->host == "0.0.0.0") {
        base->host = parse_endpoint(settings.discovery_address)->host;
    }
    settings.control_plane_address = base->to_string();
    settings.control_plane_subworker_port = static_cast<int>(announcement->subworker_port);
    spdlog::info("found control plane '{}' at {} (subworker port {})", announcement->worker_id,
                 *settings.control_plane_address, announcement->subworker_port);
    return true;
}

int run_subworker(SubworkerSettings settings) {
    configure_logging("subworker", settings.engine.log_level);

    auto plugins = load_task_plugins(settings.engine,
                                     "no task is registered (no --task-modules given?): the "
                                     "control plane will send this subworker nothing");
    if (!plugins) return kExitFailure;

    bool is_discovered = true;
    try {
        is_discovered = settings.control_plane_address || discover(settings);
    } catch (const std::runtime_error& error) {
        spdlog::error("{}", error.what());
        return kExitFailure;
    }
    if (!is_discovered) {
        spdlog::error(
            "no control plane announced itself on {} within {} s; give "
            "--control-plane-address",
            settings.discovery_address, kDiscoveryTimeout.count());
        return kExitUnreachable;
    }
    // Given only --control-plane-address: the control plane says where it
    // takes registrations, whatever its --subworker-port.
    if (!settings.control_plane_subworker_port) {
        const auto port = ask_subworker_port(*settings.control_plane_address);
        if (!port) {
            spdlog::info("stopped before registering");
            return kExitOk;
        }
        settings.control_plane_subworker_port = *port;
    }

    std::unique_ptr<Subworker> subworker;
    try {
        subworker = std::make_unique<Subworker>(settings, plugins->registry());
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
        return kExitFailure;
    }

    serve_until_stopped(*subworker);
    const int exit_code =
        subworker->exit_reason() == SubworkerExit::registration_refused ? kExitFailure : kExitOk;
    if (subworker->has_abandoned_handlers()) {
        spdlog::default_logger()->flush();
        std::_Exit(exit_code);
    }
    spdlog::info("stopped: {} message(s) rejected", subworker->stats().messages_rejected);
    subworker.reset();
    return exit_code;
}

}  // namespace

Command add_subworker_command(CLI::App& app) {
    auto* subcommand = app.add_subcommand(
        "subworker", "Run a subworker: register with the control plane and run the tasks it sends");
    auto options = std::make_shared<SubworkerOptions>(*subcommand);
    return Command{subcommand, [options] {
                       // Before any thread exists, so that every thread inherits the mask.
                       block_shutdown_signals();
                       SubworkerSettings settings;
                       try {
                           settings = options->resolve();
                       } catch (const ConfigError& error) {
                           std::cerr << "fastqueue subworker: " << error.what() << "\n";
                           return static_cast<int>(kExitUsage);
                       }
                       return run_subworker(std::move(settings));
                   }};
}

}  // namespace fastqueue::cli

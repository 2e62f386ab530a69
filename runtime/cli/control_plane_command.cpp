// control_plane_command.cpp -- `fastqueue control-plane`: resolves the
// configuration, loads the plugins (before binding any port, so a bad plugin
// stops the process before it serves anything), starts the control plane and
// turns SIGINT/SIGTERM into a polite stop.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/role_runner.hpp"
#include "cli/shutdown_signals.hpp"
#include "common/logging.hpp"
#include "config/control_plane_options.hpp"
#include "control_plane/control_plane.hpp"
#include "plugins/plugin_set.hpp"

namespace fastqueue::cli {
namespace {

int run_control_plane(const ControlPlaneSettings& settings) {
    configure_logging("control-plane", settings.engine.log_level);
    // A journal write past a file size limit (RLIMIT_FSIZE) then fails with
    // EFBIG, refused as busy like a full disk, instead of killing the process.
    if (!settings.journal_dir.empty()) std::signal(SIGXFSZ, SIG_IGN);
    auto plugins = load_task_plugins(
        settings.engine,
        "no task is registered (no --task-modules given?): tasks no subworker can run will fail "
        "as unknown");
    if (!plugins) return kExitFailure;

    std::unique_ptr<ControlPlane> control_plane;
    try {
        control_plane = std::make_unique<ControlPlane>(settings, plugins->registry());
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
        return kExitFailure;
    }

    serve_until_stopped(*control_plane);
    if (control_plane->has_abandoned_handlers()) {
        spdlog::default_logger()->flush();
        std::_Exit(kExitOk);
    }
    const auto stats = control_plane->stats();
    spdlog::info("stopped: {} task(s) accepted, {} finished, {} message(s) rejected",
                 stats.tasks_accepted, stats.tasks_finished, stats.messages_rejected);
    control_plane.reset();
    return kExitOk;
}

}  // namespace

Command add_control_plane_command(CLI::App& app) {
    auto* subcommand = app.add_subcommand(
        "control-plane", "Run the control plane: take tasks, run or dispatch them, cache results");
    auto options = std::make_shared<ControlPlaneOptions>(*subcommand);
    return Command{subcommand, [options] {
                       // Before any thread exists, so that every thread inherits the mask.
                       block_shutdown_signals();
                       ControlPlaneSettings settings;
                       try {
                           settings = options->resolve();
                       } catch (const ConfigError& error) {
                           std::cerr << "fastqueue control-plane: " << error.what() << "\n";
                           return static_cast<int>(kExitUsage);
                       }
                       return run_control_plane(settings);
                   }};
}

}  // namespace fastqueue::cli

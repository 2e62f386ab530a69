// control_plane_command.cpp -- `fastqueue control-plane`: resolves the
// configuration, loads the plugins (before binding any port, so a bad plugin
// stops the process before it serves anything), starts the control plane and
// turns SIGINT/SIGTERM into a polite stop.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/shutdown_signals.hpp"
#include "common/logging.hpp"
#include "config/control_plane_options.hpp"
#include "control_plane/control_plane.hpp"
#include "plugins/plugin_set.hpp"

namespace fastqueue::cli {
namespace {

int run_control_plane(const ControlPlaneSettings& settings) {
    configure_logging("control-plane", settings.engine.log_level);

    std::unique_ptr<PluginSet> plugins;
    try {
        const auto env_path = process_environment("FASTQUEUE_MODULES_PATH").value_or("");
        plugins = PluginSet::load(settings.engine.task_modules,
                                  module_search_path(settings.engine.modules_dirs, env_path));
    } catch (const PluginLoadError& error) {
        spdlog::error("{}", error.what());
        return kExitFailure;
    }
    if (plugins->registry().tasks().empty()) {
        spdlog::warn("no task is registered (no --task-modules given?): every task will fail as unknown");
    }

    std::unique_ptr<ControlPlane> control_plane;
    try {
        control_plane = std::make_unique<ControlPlane>(settings, plugins->registry());
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
        return kExitFailure;
    }

    bool is_stopping = false;
    while (!control_plane->is_stopped()) {
        const int signal_number = wait_for_shutdown_signal(std::chrono::milliseconds(200));
        if (signal_number == 0) continue;
        if (is_stopping) {
            spdlog::warn("second signal ({}): exiting now", signal_number);
            std::_Exit(kExitFailure);
        }
        spdlog::info("signal {} received: stopping", signal_number);
        is_stopping = true;
        control_plane->request_stop();
    }
    control_plane->wait();
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

// role_runner.hpp -- what the commands that run a role (`control-plane`,
// `subworker`) share: loading the task plugins before any port is bound, and
// serving until SIGINT or SIGTERM asks the role to stop politely.
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "cli/exit_codes.hpp"
#include "cli/shutdown_signals.hpp"
#include "config/settings.hpp"
#include "plugins/plugin_set.hpp"

namespace fastqueue::cli {

// Loads engine.task_modules from the modules search path (--modules-dir, then
// FASTQUEUE_MODULES_PATH, then the installed directory). Returns nullptr after
// logging the loader's reason when a plugin cannot be loaded; logs
// `no_task_warning` when no task is registered.
std::unique_ptr<PluginSet> load_task_plugins(const EngineSettings& engine,
                                             std::string_view no_task_warning);

// Waits until `role` stops by itself or a shutdown signal arrives; on the
// first signal calls role.request_stop(), on a second one exits the process
// at once (status 1). Returns after role.wait(). Role is an actor with
// is_stopped(), request_stop() and wait(); signals must have been blocked
// (block_shutdown_signals) before any thread started.
template <class Role>
void serve_until_stopped(Role& role) {
    bool is_stopping = false;
    while (!role.is_stopped()) {
        const int signal_number = wait_for_shutdown_signal(std::chrono::milliseconds(200));
        if (signal_number == 0) continue;
        if (is_stopping) {
            spdlog::warn("second signal ({}): exiting now", signal_number);
            std::_Exit(kExitFailure);
        }
        spdlog::info("signal {} received: stopping", signal_number);
        is_stopping = true;
        role.request_stop();
    }
    role.wait();
}

}  // namespace fastqueue::cli

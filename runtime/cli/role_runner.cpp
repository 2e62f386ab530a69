// role_runner.cpp -- see role_runner.hpp.
#include "cli/role_runner.hpp"

#include <string>

#include "config/environment.hpp"

namespace fastqueue::cli {

std::unique_ptr<PluginSet> load_task_plugins(const EngineSettings& engine,
                                             std::string_view no_task_warning) {
    std::unique_ptr<PluginSet> plugins;
    try {
        const auto env_path = process_environment("FASTQUEUE_MODULES_PATH").value_or("");
        plugins =
            PluginSet::load(engine.task_modules, module_search_path(engine.modules_dirs, env_path));
    } catch (const PluginLoadError& error) {
        spdlog::error("{}", error.what());
        return nullptr;
    }
    if (plugins->registry().tasks().empty()) spdlog::warn("{}", no_task_warning);
    return plugins;
}

}  // namespace fastqueue::cli

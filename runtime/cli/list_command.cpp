// list_command.cpp -- `fastqueue list`: loads the named plugins exactly as a
// role would and prints each plugin with its tasks and their descriptions.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "common/logging.hpp"
#include "config/control_plane_options.hpp"
#include "plugins/plugin_set.hpp"

namespace fastqueue::cli {
namespace {

struct ListFlags {
    std::vector<std::string> task_modules;
    std::vector<std::string> modules_dirs;
};

int run_list(const ListFlags& flags) {
    // The listing is the output; the loader's info lines would only repeat it.
    configure_logging("list", LogLevel::warn);
    try {
        const auto env_path = process_environment("FASTQUEUE_MODULES_PATH").value_or("");
        auto plugins = PluginSet::load(split_module_names(flags.task_modules),
                                       module_search_path(flags.modules_dirs, env_path));
        const auto& registry = plugins->registry();
        for (const auto& plugin : registry.plugins()) {
            std::cout << plugin.name << " " << plugin.version << " (" << plugin.path << ", ABI "
                      << plugin.abi_major << "." << plugin.abi_minor << ")\n";
            for (const auto& task_name : plugin.task_names) {
                const auto* task = registry.find(task_name);
                std::cout << "  " << task_name;
                if (task != nullptr && !task->description.empty()) {
                    std::cout << std::string(task_name.size() < 16 ? 16 - task_name.size() : 1, ' ')
                              << task->description;
                }
                std::cout << "\n";
            }
        }
        return kExitOk;
    } catch (const PluginLoadError& error) {
        std::cerr << "fastqueue list: " << error.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace

Command add_list_command(CLI::App& app) {
    auto* subcommand = app.add_subcommand("list", "List the tasks of plugins");
    auto flags = std::make_shared<ListFlags>();
    subcommand
        ->add_option("--task-modules", flags->task_modules,
                     "Plugin names or paths (space- or comma-separated, repeatable)")
        ->required();
    subcommand->add_option("--modules-dir", flags->modules_dirs,
                           "Directory searched for plugins before the defaults (repeatable)");
    return Command{subcommand, [flags] { return run_list(*flags); }};
}

}  // namespace fastqueue::cli

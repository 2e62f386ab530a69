// executor_command.cpp -- `fastqueue executor`, the task process a role
// starts for each handler slot in process isolation
// (runtime/execution/executor_main.hpp). Hidden from --help: its flags are
// written by the role, not by people, but they are still checked.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "config/log_level.hpp"
#include "execution/executor_main.hpp"

namespace fastqueue::cli {

Command add_executor_command(CLI::App& app) {
    auto* sub = app.add_subcommand("executor", "Task process started by a role (internal)");
    sub->group("");  // hidden
    auto arguments = std::make_shared<ExecutorArguments>();
    auto log_level = std::make_shared<std::string>("info");
    auto core_dumps = std::make_shared<std::string>("off");
    sub->add_option("--parent-pid", arguments->parent_pid)->required()->check(CLI::PositiveNumber);
    sub->add_option("--max-payload-bytes", arguments->max_payload_bytes)->required();
    sub->add_option("--task-memory-limit", arguments->memory_limit_bytes);
    sub->add_option("--task-core-dumps", *core_dumps)->check(CLI::IsMember({"on", "off"}));
    sub->add_option("--log-level", *log_level);
    sub->add_option("--plugin", arguments->plugin_paths);
    return {sub, [arguments, log_level, core_dumps]() -> int {
                auto level = parse_log_level(*log_level);
                if (!level) {
                    std::fprintf(stderr, "fastqueue executor: bad --log-level '%s'\n",
                                 log_level->c_str());
                    return kExitUsage;
                }
                arguments->log_level = *level;
                arguments->core_dumps = *core_dumps == "on";
                return run_executor(*arguments);
            }};
}

}  // namespace fastqueue::cli

// executor_main.hpp -- the executor side of process isolation: what
// `fastqueue executor` runs. A role starts one executor per handler slot
// (runtime/execution/executor_process.hpp); it is not a command for people.
//
// The executor loads the role's plugins, says READY on its channel (fd 3),
// then runs the tasks it is sent, one at a time, until the channel closes.
// It ignores SIGINT, SIGTERM and SIGHUP (its role decides when it stops),
// and dies with its role (PR_SET_PDEATHSIG). A handler that crashes,
// exits or is killed ends only this process; its role reports the task.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/logging.hpp"

namespace fastqueue {

struct ExecutorArguments {
    pid_t parent_pid = 0;
    std::uint64_t max_payload_bytes = 0;
    std::uint64_t memory_limit_bytes = 0;  // RLIMIT_AS once the plugins are loaded; 0 = none
    bool core_dumps = false;
    LogLevel log_level = LogLevel::info;
    std::vector<std::string> plugin_paths;
};

// Exit statuses of an executor that ends by itself.
inline constexpr int kExecutorExitChannelClosed = 0;
inline constexpr int kExecutorExitBadChannel = 74;  // the role's end broke or sent nonsense
inline constexpr int kExecutorExitSetup = 78;       // plugins or limits could not be set up

// Serves the channel on fd 3 with the shared state on fd 4; returns the
// process's exit status.
int run_executor(const ExecutorArguments& arguments);

}  // namespace fastqueue

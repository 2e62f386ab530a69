// isolation.hpp -- where a role runs its plugins' task handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastqueue {

enum class Isolation {
    // Each handler slot is a child process (an executor) that loads the
    // plugins and runs one task at a time: a task that crashes, exits or
    // runs out of memory fails alone, and one past its time limit is killed.
    process,
    // Handlers run on threads of the role's own process: the fastest, and a
    // crashing task takes the role down with every task it holds.
    thread,
};

inline constexpr std::string_view to_string(Isolation isolation) {
    return isolation == Isolation::process ? "process" : "thread";
}

inline std::optional<Isolation> parse_isolation(std::string_view text) {
    if (text == "process") return Isolation::process;
    if (text == "thread") return Isolation::thread;
    return std::nullopt;
}

// What every executor of a role is started with
// (runtime/execution/executor_process.hpp).
struct ExecutorCommand {
    std::string executable = "/proc/self/exe";
    std::vector<std::string> plugin_paths;  // in the role's load order
    std::uint64_t max_payload_bytes = 0;    // largest payload sent and result taken
    std::uint64_t memory_limit_bytes = 0;   // RLIMIT_AS; 0 = none
    bool core_dumps = false;
    std::string log_level = "info";
    // How long an executor may take to load its plugins and say READY.
    std::chrono::milliseconds start_timeout{60000};
};

// Where an execution engine runs handlers, and in process isolation how
// its executors are started and stopped.
struct IsolationOptions {
    Isolation mode = Isolation::thread;
    // How each executor is started; the engine fills in plugin_paths from
    // its registry's plugins.
    ExecutorCommand command;
    // How long a task whose cancel was requested (by a client, its time
    // limit or the role's shutdown) may run on before its executor is killed.
    std::chrono::milliseconds kill_grace{1000};
    // Process isolation: the engine's owner reads what executors answer for
    // the tasks start() hands straight to an idle slot, on its own thread
    // (ExecutionEngine::answers_fd). The roles' I/O threads do; an owner
    // that does not poll leaves it false.
    bool owner_reads_answers = false;
};

}  // namespace fastqueue

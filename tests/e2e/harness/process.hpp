// process.hpp -- a child process for the end-to-end tests: started with
// posix_spawn from an argv vector, its stdout and stderr captured in
// temporary files that can be read back at any time.
//
// The child's environment is this process's environment without any
// FASTQUEUE_* variable (so that a developer's shell cannot change what a test
// sees), plus the extra variables the test names. A Process that is still
// running when it is destroyed is killed with SIGKILL and reaped, so a failing
// test never leaves a process behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fastqueue::e2e {

using EnvironmentVariables = std::vector<std::pair<std::string, std::string>>;

class Process {
public:
    // Starts argv[0] (a path) with the given arguments. Throws
    // std::runtime_error when the process cannot be spawned.
    explicit Process(std::vector<std::string> argv, EnvironmentVariables extra_environment = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Polls until the process has exited or timeout has passed. Returns its
    // exit status, or 128 + the signal number when a signal ended it;
    // std::nullopt when it is still running at the deadline.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

    // True until the process has exited (reaps it when it has).
    bool is_running();

    // Sends a signal; does nothing once the process has been reaped.
    void send_signal(int signal_number);

    // Everything the process has written so far.
    std::string stdout_text() const;
    std::string stderr_text() const;

    pid_t pid() const { return pid_; }
    const std::vector<std::string>& argv() const { return argv_; }

private:
    void reap_if_exited();

    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::string stdout_path_;
    std::string stderr_path_;
};

}  // namespace fastqueue::e2e

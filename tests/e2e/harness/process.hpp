// process.hpp -- a child process for the end-to-end tests: started with
// posix_spawn from an argv vector, its stdout and stderr captured in
// temporary files that can be read back at any time.
//
// The child's environment is this process's environment without any
// FASTQUEUE_* variable (so that a developer's shell cannot change what a test
// sees), plus the extra variables the test names.
//
// How a process ended is part of what a test checks. Whoever stops a
// process (ControlPlaneProcess, SubworkerProcess, a test that runs a Process
// itself) calls stop_and_check(), which fails the running test unless the
// process ended with expected_exit_code(): 0 unless the test states another.
// Every Process, however it ended, fails the running test when it is
// destroyed if its stderr holds a sanitizer report; a Process that is still
// running then is killed with SIGKILL and reaped first, so a failing test
// never leaves a process behind.
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
    // Kills a process still running (SIGKILL), then CHECKs that its stderr
    // holds no sanitizer report (harness/sanitizer_report.hpp).
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

    // The exit status this process must end with: 0 unless the test states
    // another one, e.g. 128 + SIGKILL for a process it kills.
    void expect_exit_code(int code) { expected_exit_code_ = code; }
    int expected_exit_code() const { return expected_exit_code_; }

    // Stops the process: SIGTERM if it still runs, up to `timeout` for it
    // to exit, then SIGKILL. Returns its exit status (128 + the signal
    // number when a signal ended it).
    int stop(std::chrono::milliseconds timeout);

    // stop(), then a doctest CHECK that the exit status is
    // expected_exit_code(); a failure names the process and shows its
    // stderr. Never throws, so destructors call it: a failed CHECK fails the
    // running test, also while a failed REQUIRE unwinds it.
    void stop_and_check(std::chrono::milliseconds timeout);

    // Everything the process has written so far.
    std::string stdout_text() const;
    std::string stderr_text() const;

    pid_t pid() const { return pid_; }
    const std::vector<std::string>& argv() const { return argv_; }
    // argv joined with spaces, for failure messages.
    std::string command_line() const;

private:
    void reap_if_exited();

    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    int expected_exit_code_ = 0;
    std::string stdout_path_;
    std::string stderr_path_;
};

}  // namespace fastqueue::e2e

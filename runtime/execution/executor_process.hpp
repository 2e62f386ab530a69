// executor_process.hpp -- one executor child process as its role sees it:
// started, spoken to over its channel, killed and reaped.
//
// The executor is the role's own executable re-executed as
// `fastqueue executor` (runtime/execution/executor_main.hpp), with its
// channel on fd 3 and the shared state on fd 4. It dies with its role: it
// asks for SIGKILL when the thread that started it ends
// (PR_SET_PDEATHSIG), and exits when its channel closes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/isolation.hpp"
#include "execution/executor_shared_state.hpp"

namespace fastqueue {

class ExecutorStartError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ExecutorProcess {
public:
    // Starts an executor and waits for its READY. Throws ExecutorStartError
    // naming what went wrong (the spawn's error, how it ended, a timeout);
    // nothing is left running then.
    static std::unique_ptr<ExecutorProcess> start(const ExecutorCommand& command);

    // Closes the channel and reaps the process: an idle executor exits at
    // once; one that has not after a second is killed.
    ~ExecutorProcess();
    ExecutorProcess(const ExecutorProcess&) = delete;
    ExecutorProcess& operator=(const ExecutorProcess&) = delete;

    pid_t pid() const { return pid_; }
    int channel() const { return channel_fd_; }
    executor::SharedState& shared() { return *shared_; }

    // SIGKILL, unless it has been reaped already. Thread-safe.
    void kill_now();
    // Waits for the process to end and says how it did ("signal 11
    // (SIGSEGV)", "exited with status 3"). Call after its channel closed or
    // broke: it waits up to `patience` for the exit, then kills it. Once only.
    std::string reap(std::chrono::milliseconds patience);

private:
    ExecutorProcess() = default;

    pid_t pid_ = -1;
    int channel_fd_ = -1;
    executor::SharedState* shared_ = nullptr;
    std::mutex reap_mutex_;   // orders kill_now() against the reaping
    bool is_reaped_ = false;  // guarded by reap_mutex_
};

// Set in every executor's environment; an executor never starts executors.
inline constexpr const char* kExecutorEnvironmentMark = "FASTQUEUE_EXECUTOR";
bool is_executor_process();

// "signal 11 (SIGSEGV)" or "exited with status 3", for a waitpid status.
std::string describe_wait_status(int status);

}  // namespace fastqueue

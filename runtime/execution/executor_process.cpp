// executor_process.cpp -- see executor_process.hpp.
#include "execution/executor_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#include "execution/executor_channel.hpp"
#include "execution/owned_fd.hpp"

extern char** environ;

namespace fastqueue {

namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Moves fd to a number above the ones the child will use, so that placing
// the channel on 3 cannot overwrite the shared state's descriptor, or the
// other way round.
int above_child_fds(int fd) {
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, executor::kSharedStateFd + 1);
    if (moved < 0) throw ExecutorStartError(errno_text("fcntl"));
    ::close(fd);
    return moved;
}

std::vector<std::string> executor_arguments(const ExecutorCommand& command) {
    std::vector<std::string> args{command.executable,    "executor",
                                  "--parent-pid",        std::to_string(::getpid()),
                                  "--max-payload-bytes", std::to_string(command.max_payload_bytes),
                                  "--task-memory-limit", std::to_string(command.memory_limit_bytes),
                                  "--task-core-dumps",   command.core_dumps ? "on" : "off",
                                  "--log-level",         command.log_level};
    for (const auto& path : command.plugin_paths) {
        args.push_back("--plugin");
        args.push_back(path);
    }
    return args;
}

pid_t spawn(const ExecutorCommand& command, int channel_fd, int state_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, channel_fd, executor::kChannelFd);
    posix_spawn_file_actions_adddup2(&actions, state_fd, executor::kSharedStateFd);
    // The role blocks its shutdown signals for its signal-waiting thread;
    // the executor starts with none blocked and the default actions, and
    // chooses what to ignore itself.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD})
        sigaddset(&defaults, signal_number);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    const auto args = executor_arguments(command);
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    // The role's environment, and the mark that tells the process it is an
    // executor (executor_process.hpp, kExecutorEnvironmentMark).
    std::string mark = std::string(kExecutorEnvironmentMark) + "=1";
    std::vector<char*> envp;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (std::strncmp(*entry, mark.c_str(), mark.size() - 1) != 0) envp.push_back(*entry);
    }
    envp.push_back(mark.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int error = ::posix_spawn(&pid, command.executable.c_str(), &actions, &attributes,
                                    argv.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        throw ExecutorStartError("cannot start " + command.executable + ": " +
                                 std::strerror(error));
    }
    return pid;
}

// Waits for the READY of a started executor; the reason when none came.
std::optional<std::string> wait_until_ready(int channel_fd, std::chrono::milliseconds timeout) {
    pollfd item{channel_fd, POLLIN, 0};
    int ready = 0;
    do {
        ready = ::poll(&item, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0)
        return "it did not load its plugins within " + std::to_string(timeout.count() / 1000) +
               " s";
    executor::Header header;
    const auto status = executor::receive_header(channel_fd, header);
    if (status != executor::IoStatus::ok) return "it ended before it was ready";
    executor::ChannelLimits limits;
    if (auto problem = executor::check_header(header, limits)) return "bad READY: " + *problem;
    if (header.type != static_cast<std::uint16_t>(executor::MessageType::ready)) {
        return "it sent message type " + std::to_string(header.type) + " before READY";
    }
    return std::nullopt;
}

}  // namespace

bool is_executor_process() { return std::getenv(kExecutorEnvironmentMark) != nullptr; }

std::unique_ptr<ExecutorProcess> ExecutorProcess::start(const ExecutorCommand& command) {
    // A program that is not `fastqueue` (a test, say) would otherwise run
    // itself again, and again in that copy.
    if (is_executor_process()) {
        throw ExecutorStartError("cannot start a task process: this process is one (" +
                                 command.executable +
                                 " is not an executable that serves "
                                 "`executor`)");
    }
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        throw ExecutorStartError(errno_text("socketpair"));
    }
    OwnedFd role_end(pair[0]);
    OwnedFd executor_end(above_child_fds(pair[1]));
    OwnedFd state_fd(::memfd_create("fastqueue-executor-state", MFD_CLOEXEC));
    if (state_fd.get() < 0) throw ExecutorStartError(errno_text("memfd_create"));
    state_fd.reset(above_child_fds(state_fd.release()));
    if (::ftruncate(state_fd.get(), executor::kSharedStateBytes) != 0) {
        throw ExecutorStartError(errno_text("ftruncate"));
    }
    void* mapped = ::mmap(nullptr, executor::kSharedStateBytes, PROT_READ | PROT_WRITE, MAP_SHARED,
                          state_fd.get(), 0);
    if (mapped == MAP_FAILED) throw ExecutorStartError(errno_text("mmap"));

    std::unique_ptr<ExecutorProcess> process(new ExecutorProcess());
    process->shared_ = new (mapped) executor::SharedState();
    process->pid_ = spawn(command, executor_end.get(), state_fd.get());
    process->channel_fd_ = role_end.release();
    // The child has its copies; the role keeps only its end and the mapping.
    executor_end.reset();
    state_fd.reset();

    if (auto problem = wait_until_ready(process->channel_fd_, command.start_timeout)) {
        // Its exit status says why when it ended by itself; one still
        // running is killed after a second.
        const std::string ended = process->reap(std::chrono::milliseconds(1000));
        throw ExecutorStartError("task process " + std::to_string(process->pid_) + " failed to " +
                                 "start: " + *problem + " (" + ended + ")");
    }
    return process;
}

ExecutorProcess::~ExecutorProcess() {
    if (channel_fd_ >= 0) ::close(channel_fd_);
    {
        std::lock_guard<std::mutex> lock(reap_mutex_);
        if (is_reaped_) pid_ = -1;
    }
    if (pid_ > 0) reap(std::chrono::milliseconds(1000));
    if (shared_ != nullptr) ::munmap(shared_, executor::kSharedStateBytes);
}

void ExecutorProcess::kill_now() {
    std::lock_guard<std::mutex> lock(reap_mutex_);
    // An unreaped child keeps its pid, so the signal cannot reach another
    // process that reused it.
    if (!is_reaped_ && pid_ > 0) ::kill(pid_, SIGKILL);
}

std::string ExecutorProcess::reap(std::chrono::milliseconds patience) {
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + patience;
    pid_t done = 0;
    // Bounded: at most patience / 5 ms tries, then one blocking wait after SIGKILL.
    for (;;) {
        done = ::waitpid(pid_, &status, WNOHANG);
        if (done != 0 && !(done < 0 && errno == EINTR)) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            kill_now();
            do {
                done = ::waitpid(pid_, &status, 0);
            } while (done < 0 && errno == EINTR);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    {
        std::lock_guard<std::mutex> lock(reap_mutex_);
        is_reaped_ = true;
    }
    if (done < 0) return errno_text("waitpid");
    return describe_wait_status(status);
}

std::string describe_wait_status(int status) {
    if (WIFSIGNALED(status)) {
        const int signal_number = WTERMSIG(status);
        const char* name = ::sigabbrev_np(signal_number);
        return "signal " + std::to_string(signal_number) +
               (name != nullptr ? " (SIG" + std::string(name) + ")" : std::string());
    }
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended with wait status " + std::to_string(status);
}

}  // namespace fastqueue

// executor_main.cpp -- see executor_main.hpp.
#include "execution/executor_main.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>

#include "execution/executor_channel.hpp"
#include "execution/executor_shared_state.hpp"
#include "execution/handler_call.hpp"
#include "plugins/plugin_set.hpp"
#include "plugins/task_context.hpp"

namespace fastqueue {

namespace {

using executor::Header;
using executor::IoStatus;
using executor::MessageType;

// The process's shared state and current run, for the new_handler and the
// fatal-signal handler, which take no arguments.
executor::SharedState* g_shared = nullptr;
std::uint64_t g_current_run = 0;

[[noreturn]] void on_allocation_failure() {
    if (g_shared != nullptr) g_shared->allocation_failed_run.store(g_current_run);
    throw std::bad_alloc();
}

// Reads the process's address space size from /proc/self/statm with
// async-signal-safe calls only; 0 when it cannot.
std::uint64_t address_space_bytes() {
    const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char text[64];
    const ssize_t got = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (got <= 0) return 0;
    std::uint64_t pages = 0;
    for (ssize_t i = 0; i < got && text[i] >= '0' && text[i] <= '9'; ++i) {
        pages = pages * 10 + static_cast<std::uint64_t>(text[i] - '0');
    }
    return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Records the address space for the role, then lets the signal kill the
// process as it would have (the action was reset to the default on entry).
void on_fatal_signal(int signal_number) {
    if (g_shared != nullptr) g_shared->address_space_at_crash.store(address_space_bytes());
    ::raise(signal_number);
}

void install_fatal_signal_handlers() {
    // Its own stack: a stack overflow is one of the crashes it reports.
    static char alternate_stack[64 * 1024];
    stack_t stack{};
    stack.ss_sp = alternate_stack;
    stack.ss_size = sizeof alternate_stack;
    ::sigaltstack(&stack, nullptr);
    struct sigaction action {};
    action.sa_handler = on_fatal_signal;
    action.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (int signal_number : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
        ::sigaction(signal_number, &action, nullptr);
}

bool set_limit(int resource, rlim_t value, const char* flag) {
    rlimit limit{};
    ::getrlimit(resource, &limit);
    limit.rlim_cur = value;
    if (limit.rlim_max != RLIM_INFINITY && value > limit.rlim_max) limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(resource, &limit) != 0) {
        spdlog::error("cannot apply {}: setrlimit: {}", flag, std::strerror(errno));
        return false;
    }
    return true;
}

executor::SharedState* map_shared_state() {
    struct stat info {};
    if (::fstat(executor::kSharedStateFd, &info) != 0 ||
        static_cast<std::size_t>(info.st_size) < executor::kSharedStateBytes) {
        return nullptr;
    }
    void* mapped = ::mmap(nullptr, executor::kSharedStateBytes, PROT_READ | PROT_WRITE, MAP_SHARED,
                          executor::kSharedStateFd, 0);
    ::close(executor::kSharedStateFd);
    return mapped == MAP_FAILED ? nullptr : static_cast<executor::SharedState*>(mapped);
}

// Sends each progress report of the running task to the role.
class ProgressToRole final : public ProgressSink {
public:
    void set_run(std::uint64_t run) { run_ = run; }
    void progress_reported(double fraction, const char* message) noexcept override {
        Header header = executor::make_header(MessageType::progress, run_);
        header.fraction = fraction;
        const std::size_t length =
            message == nullptr ? 0 : ::strnlen(message, executor::kMaxTextBytes);
        header.text_size = static_cast<std::uint32_t>(length);
        iovec part{const_cast<char*>(message), length};
        // A plugin may report from threads of its own.
        std::lock_guard<std::mutex> lock(*send_mutex_);
        executor::send_message(executor::kChannelFd, header, &part, 1);
    }
    std::mutex* send_mutex_ = nullptr;

private:
    std::uint64_t run_ = 0;
};

// A payload buffer reused from task to task, never zero-filled.
class PayloadBuffer {
public:
    std::uint8_t* reserve(std::size_t size) {
        // Keeps a large buffer only while payloads stay large.
        if (size > capacity_ || (capacity_ > kKeepBytes && size < capacity_ / 4)) {
            bytes_.reset(new std::uint8_t[size == 0 ? 1 : size]);
            capacity_ = size;
        }
        return bytes_.get();
    }

private:
    static constexpr std::size_t kKeepBytes = 1024 * 1024;
    std::unique_ptr<std::uint8_t[]> bytes_;
    std::size_t capacity_ = 0;
};

class Executor {
public:
    Executor(const ExecutorArguments& arguments, const TaskRegistry& registry,
             executor::SharedState& shared)
        : arguments_(arguments), registry_(registry), shared_(shared) {
        progress_.send_mutex_ = &send_mutex_;
    }

    int serve() {
        {
            const Header ready = executor::make_header(MessageType::ready, 0);
            if (executor::send_message(executor::kChannelFd, ready, nullptr, 0) != IoStatus::ok) {
                return kExecutorExitBadChannel;
            }
        }
        const executor::ChannelLimits limits{false, arguments_.max_payload_bytes};
        for (;;) {
            Header header;
            const IoStatus status = reader_.receive_header(header);
            if (status == IoStatus::closed) return kExecutorExitChannelClosed;
            if (status == IoStatus::failed) {
                spdlog::error("task process: reading its channel: {}", executor::last_io_error());
                return kExecutorExitBadChannel;
            }
            if (auto problem = executor::check_header(header, limits)) {
                spdlog::error("task process: bad message from its role: {}", *problem);
                return kExecutorExitBadChannel;
            }
            if (!run_one(header)) return kExecutorExitBadChannel;
        }
    }

private:
    // Reads the RUN's body, runs the task and sends its OUTCOME; false when
    // the channel broke.
    bool run_one(const Header& header) {
        std::string task_id(header.text_size, '\0');
        std::string task_name(header.name_size, '\0');
        std::uint8_t* payload = payload_.reserve(header.data_size);
        iovec parts[] = {{task_id.data(), task_id.size()},
                         {task_name.data(), task_name.size()},
                         {payload, header.data_size}};
        if (reader_.receive_exact(parts, 3) != IoStatus::ok) return false;

        g_current_run = header.run;
        progress_.set_run(header.run);
        fq_task_context context(std::move(task_id), std::move(task_name));
        context.link_to_role(&shared_.cancel_flag(header.run), header.run, &progress_);
        TaskOutcome outcome;
        if (shared_.is_skipped(header.run)) {
            // Cancelled while it waited behind other tasks sent here.
            outcome.state = TaskState::cancelled;
            outcome.error = kCancelledBeforeStart;
        } else if (const RegisteredTask* entry = registry_.find(context.task_name())) {
            run_handler(*entry, context, payload, header.data_size, outcome);
        } else {
            outcome.state = TaskState::failure;
            outcome.error = "unknown task '" + context.task_name() + "'";
        }
        if (outcome.state == TaskState::failure &&
            shared_.allocation_failed_run.load() == header.run) {
            outcome.error = "task ran out of memory (--task-memory-limit " +
                            std::to_string(arguments_.memory_limit_bytes) +
                            " bytes): " + outcome.error;
        }
        fail_oversized_result(outcome, arguments_.max_payload_bytes);
        if (outcome.error.size() > executor::kMaxTextBytes) {
            outcome.error.resize(executor::kMaxTextBytes);
        }
        Header reply = executor::make_header(MessageType::outcome, header.run);
        reply.flags =
            static_cast<std::uint16_t>(static_cast<std::uint16_t>(outcome.state) |
                                       (outcome.retryable ? executor::kRetryableFlag : 0));
        reply.text_size = static_cast<std::uint32_t>(outcome.error.size());
        reply.data_size = outcome.result.size();
        iovec reply_parts[] = {{outcome.error.data(), outcome.error.size()},
                               {outcome.result.data(), outcome.result.size()}};
        std::lock_guard<std::mutex> lock(send_mutex_);
        return executor::send_message(executor::kChannelFd, reply, reply_parts, 2) == IoStatus::ok;
    }

    const ExecutorArguments& arguments_;
    const TaskRegistry& registry_;
    executor::SharedState& shared_;
    std::mutex send_mutex_;
    // Tasks sent ahead arrive together: one read takes several.
    executor::BufferedReader reader_{executor::kChannelFd};
    ProgressToRole progress_;
    PayloadBuffer payload_;
};

}  // namespace

int run_executor(const ExecutorArguments& arguments) {
    // Dies with the thread of the role that started it; a role already gone
    // before that took effect is noticed here.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != arguments.parent_pid) return kExecutorExitChannelClosed;
    for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(signal_number, SIG_IGN);
    configure_logging("executor", arguments.log_level);

    executor::SharedState* shared = map_shared_state();
    if (shared == nullptr) {
        spdlog::error(
            "fastqueue executor: no shared state on fd {}: an executor is started by a "
            "control plane or subworker, not by hand",
            executor::kSharedStateFd);
        return kExecutorExitSetup;
    }
    g_shared = shared;
    if (!set_limit(RLIMIT_CORE, arguments.core_dumps ? RLIM_INFINITY : 0, "--task-core-dumps")) {
        return kExecutorExitSetup;
    }

    std::unique_ptr<PluginSet> plugins;
    try {
        // The role logged each plugin it loaded; a new task process says
        // nothing about the same plugins unless something goes wrong.
        const auto level = spdlog::get_level();
        spdlog::set_level(std::max(level, spdlog::level::warn));
        plugins = PluginSet::load(arguments.plugin_paths, {});
        spdlog::set_level(level);
    } catch (const std::exception& e) {
        spdlog::error("task process cannot load its plugins: {}", e.what());
        return kExecutorExitSetup;
    }
    if (arguments.memory_limit_bytes > 0) {
        const std::uint64_t used = address_space_bytes();
        if (used >= arguments.memory_limit_bytes) {
            spdlog::error(
                "--task-memory-limit {} bytes is below what a task process uses before it runs "
                "anything ({} bytes of address space with its plugins loaded)",
                arguments.memory_limit_bytes, used);
            return kExecutorExitSetup;
        }
        if (!set_limit(RLIMIT_AS, arguments.memory_limit_bytes, "--task-memory-limit")) {
            return kExecutorExitSetup;
        }
    }
    std::set_new_handler(on_allocation_failure);
    install_fatal_signal_handlers();

    Executor executor(arguments, plugins->registry(), *shared);
    return executor.serve();
}

}  // namespace fastqueue

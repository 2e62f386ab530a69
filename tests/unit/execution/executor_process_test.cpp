// executor_process_test.cpp -- ExecutorProcess
// (runtime/execution/executor_process.cpp) against the real `fastqueue`
// executable: an executor starts, says READY and runs a task sent over its
// channel; one that cannot start is reported with how it ended; a process
// that is itself an executor refuses to start another; and wait statuses
// read as the task errors quote them.
//
// Every wait is bounded: the executors' start timeout, the channel's
// receive timeout and reap()'s patience.
#include "execution/executor_process.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "execution/executor_channel.hpp"
#include "fastqueue/task.hpp"

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

std::string module_file(const std::string& name) {
    return (std::filesystem::path(FASTQUEUE_TEST_MODULES_DIR) / ("lib" + name + ".so")).string();
}

ExecutorCommand executor_command(std::vector<std::string> plugin_paths) {
    ExecutorCommand command;
    command.executable = FASTQUEUE_EXECUTABLE;
    command.plugin_paths = std::move(plugin_paths);
    command.max_payload_bytes = 1024 * 1024;
    command.log_level = "warn";
    command.start_timeout = 30s;
    return command;
}

// Sets FASTQUEUE_EXECUTOR for one scope, whatever happens in it.
class ExecutorMark {
public:
    ExecutorMark() { ::setenv(kExecutorEnvironmentMark, "1", 1); }
    ~ExecutorMark() { ::unsetenv(kExecutorEnvironmentMark); }
    ExecutorMark(const ExecutorMark&) = delete;
    ExecutorMark& operator=(const ExecutorMark&) = delete;
};

// The status of a forked child that `child_body` ends.
template <typename ChildBody>
int status_of_child(ChildBody child_body) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        child_body();
        ::_exit(99);
    }
    int status = 0;
    pid_t done = -1;
    do {
        done = ::waitpid(pid, &status, 0);
    } while (done < 0 && errno == EINTR);
    REQUIRE(done == pid);
    return status;
}

TEST_CASE("describe_wait_status: a signal by number and name, an exit by its status") {
    CHECK(describe_wait_status(W_EXITCODE(0, SIGSEGV)) == "signal 11 (SIGSEGV)");
    CHECK(describe_wait_status(W_EXITCODE(0, SIGABRT)) == "signal 6 (SIGABRT)");
    CHECK(describe_wait_status(W_EXITCODE(3, 0)) == "exited with status 3");
    CHECK(describe_wait_status(W_EXITCODE(0, 0)) == "exited with status 0");

    // The same from real processes.
    CHECK(describe_wait_status(status_of_child([] { ::_exit(3); })) == "exited with status 3");
    CHECK(describe_wait_status(status_of_child([] { ::kill(::getpid(), SIGKILL); })) ==
          "signal 9 (SIGKILL)");
}

TEST_CASE("ExecutorProcess: an executor says READY and runs a task sent over its channel") {
    auto process = ExecutorProcess::start(executor_command({module_file("mytasks")}));
    REQUIRE(process != nullptr);
    CHECK(process->pid() > 0);
    const int fd = process->channel();
    const timeval timeout{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    const std::string task_id = "t-1";
    const std::string name = "echo";
    const std::string payload = R"({"args": [[1, "two", {"three": 3}]]})";
    executor::Header run = executor::make_header(executor::MessageType::run, 1);
    run.text_size = static_cast<std::uint32_t>(task_id.size());
    run.name_size = static_cast<std::uint32_t>(name.size());
    run.data_size = payload.size();
    const iovec parts[] = {{const_cast<char*>(task_id.data()), task_id.size()},
                           {const_cast<char*>(name.data()), name.size()},
                           {const_cast<char*>(payload.data()), payload.size()}};
    REQUIRE(executor::send_message(fd, run, parts, 3) == executor::IoStatus::ok);

    executor::Header reply;
    REQUIRE(executor::receive_header(fd, reply) == executor::IoStatus::ok);
    REQUIRE_FALSE(executor::check_header(reply, executor::ChannelLimits{true, 1024 * 1024}));
    CHECK(reply.type == static_cast<std::uint16_t>(executor::MessageType::outcome));
    CHECK(reply.run == 1);
    CHECK((reply.flags & 0xff) == static_cast<int>(TaskState::success));
    std::string error(reply.text_size, '\0');
    std::string result(reply.data_size, '\0');
    iovec body[] = {{error.data(), error.size()}, {result.data(), result.size()}};
    REQUIRE(executor::receive_exact(fd, body, 2) == executor::IoStatus::ok);
    CHECK(error.empty());
    CHECK(result == R"([1,"two",{"three":3}])");

    // An executor whose channel closes exits by itself, with status 0.
    ::shutdown(fd, SHUT_RDWR);
    CHECK(process->reap(10s) == "exited with status 0");
}

TEST_CASE("ExecutorProcess: a killed executor is reaped with the signal that ended it") {
    auto process = ExecutorProcess::start(executor_command({module_file("mytasks")}));
    process->kill_now();
    CHECK(process->reap(10s) == "signal 9 (SIGKILL)");
    // Once reaped, a kill is ignored: the pid may belong to another process.
    process->kill_now();
}

TEST_CASE("ExecutorProcess: start with a missing plugin throws, saying how the executor ended") {
    const std::string missing = "/nonexistent/fastqueue-test/libmissing.so";
    std::string message;
    try {
        ExecutorProcess::start(executor_command({module_file("mytasks"), missing}));
    } catch (const ExecutorStartError& error) {
        message = error.what();
    }
    CAPTURE(message);
    CHECK(message.find("failed to start: it ended before it was ready") != std::string::npos);
    CHECK(message.find("(exited with status 78)") != std::string::npos);
}

TEST_CASE("ExecutorProcess: start with an executable that does not exist throws, naming it") {
    ExecutorCommand command = executor_command({});
    command.executable = "/nonexistent/fastqueue-test/fastqueue";
    CHECK_THROWS_WITH_AS(ExecutorProcess::start(command),
                         "cannot start /nonexistent/fastqueue-test/fastqueue: No such file or "
                         "directory",
                         ExecutorStartError);
}

TEST_CASE("ExecutorProcess: a process that is an executor refuses to start one") {
    {
        ExecutorMark mark;
        CHECK(is_executor_process());
        std::string message;
        try {
            ExecutorProcess::start(executor_command({module_file("mytasks")}));
        } catch (const ExecutorStartError& error) {
            message = error.what();
        }
        CHECK(message.find("cannot start a task process: this process is one") !=
              std::string::npos);
    }
    CHECK_FALSE(is_executor_process());
}

}  // namespace

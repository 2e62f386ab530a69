// process.cpp -- see process.hpp.
#include "harness/process.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "harness/sanitizer_report.hpp"

extern char** environ;

namespace fastqueue::e2e {
namespace {

constexpr std::chrono::milliseconds kPollInterval{5};
// How long the destructor waits for a SIGKILLed child to be reapable.
constexpr std::chrono::seconds kKillTimeout{10};

// A new empty temporary file; returns its path.
std::string make_temporary_file(const char* stem) {
    const char* directory = std::getenv("TMPDIR");
    std::string pattern =
        std::string(directory != nullptr && directory[0] != '\0' ? directory : "/tmp") +
        "/fastqueue-e2e-" + stem + "-XXXXXX";
    std::vector<char> path(pattern.begin(), pattern.end());
    path.push_back('\0');
    const int fd = ::mkstemp(path.data());
    if (fd < 0)
        throw std::runtime_error("cannot create a temporary file: " +
                                 std::string(std::strerror(errno)));
    ::close(fd);
    return std::string(path.data());
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> child_environment(const EnvironmentVariables& extra) {
    std::vector<std::string> result;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view variable(*entry);
        if (variable.substr(0, 10) == "FASTQUEUE_") continue;
        bool is_overridden = false;
        for (const auto& [name, value] : extra) {
            if (variable.substr(0, name.size() + 1) == name + "=") is_overridden = true;
        }
        if (!is_overridden) result.emplace_back(variable);
    }
    for (const auto& [name, value] : extra) result.push_back(name + "=" + value);
    return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> result;
    for (auto& text : strings) result.push_back(text.data());
    result.push_back(nullptr);
    return result;
}

}  // namespace

Process::Process(std::vector<std::string> argv, EnvironmentVariables extra_environment)
    : argv_(std::move(argv)) {
    if (argv_.empty()) throw std::invalid_argument("Process: argv is empty");
    stdout_path_ = make_temporary_file("stdout");
    stderr_path_ = make_temporary_file("stderr");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path_.c_str(),
                                     O_WRONLY | O_TRUNC, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path_.c_str(),
                                     O_WRONLY | O_TRUNC, 0);
    // The child starts with no signal blocked and default dispositions, whatever
    // the test runner set up.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    sigset_t default_signals;
    sigemptyset(&default_signals);
    sigaddset(&default_signals, SIGINT);
    sigaddset(&default_signals, SIGTERM);
    sigaddset(&default_signals, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &no_signals);
    posix_spawnattr_setsigdefault(&attributes, &default_signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> arguments = argv_;
    std::vector<std::string> environment = child_environment(extra_environment);
    auto argument_pointers = pointers(arguments);
    auto environment_pointers = pointers(environment);
    const int status = ::posix_spawn(&pid_, argv_[0].c_str(), &actions, &attributes,
                                     argument_pointers.data(), environment_pointers.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (status != 0) {
        pid_ = -1;
        ::unlink(stdout_path_.c_str());
        ::unlink(stderr_path_.c_str());
        throw std::runtime_error("cannot start " + argv_[0] + ": " + std::strerror(status));
    }
}

Process::~Process() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        wait_for_exit(kKillTimeout);
    }
    const std::string report = find_sanitizer_report(stderr_text());
    const std::string report_message =
        "`" + command_line() + "` printed a sanitizer report:\n" + report;
    CHECK_MESSAGE(report.empty(), report_message);
    ::unlink(stdout_path_.c_str());
    ::unlink(stderr_path_.c_str());
}

void Process::reap_if_exited() {
    if (pid_ <= 0 || exit_code_) return;
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
        if (WIFEXITED(status)) {
            exit_code_ = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            exit_code_ = 128 + WTERMSIG(status);
        }
    }
}

std::optional<int> Process::wait_for_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        reap_if_exited();
        if (exit_code_ || std::chrono::steady_clock::now() >= deadline) return exit_code_;
        std::this_thread::sleep_for(kPollInterval);
    }
}

bool Process::is_running() {
    reap_if_exited();
    return pid_ > 0 && !exit_code_;
}

void Process::send_signal(int signal_number) {
    if (is_running()) ::kill(pid_, signal_number);
}

int Process::stop(std::chrono::milliseconds timeout) {
    send_signal(SIGTERM);
    if (auto code = wait_for_exit(timeout)) return *code;
    send_signal(SIGKILL);
    // A SIGKILLed child can always be reaped; only a failing kernel would
    // leave exit_code_ unset here, and then -1 fails every expectation.
    return wait_for_exit(kKillTimeout).value_or(-1);
}

void Process::stop_and_check(std::chrono::milliseconds timeout) {
    const int code = stop(timeout);
    const std::string message = "`" + command_line() + "` exited with " + std::to_string(code) +
                                ", expected " + std::to_string(expected_exit_code_) +
                                "\n--- stderr ---\n" + stderr_text();
    CHECK_MESSAGE(code == expected_exit_code_, message);
}

std::string Process::command_line() const {
    std::string text;
    for (const auto& argument : argv_) text += (text.empty() ? "" : " ") + argument;
    return text;
}

std::string Process::stdout_text() const { return read_file(stdout_path_); }
std::string Process::stderr_text() const { return read_file(stderr_path_); }

}  // namespace fastqueue::e2e

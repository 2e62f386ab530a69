// process_table.cpp -- see process_table.hpp.
#include "harness/process_table.hpp"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "harness/fastqueue_cli.hpp"

namespace fastqueue::e2e {
namespace {

// Calls visit with every numeric entry of /proc (a process id).
void for_each_pid(const std::function<void(pid_t)>& visit) {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return;
    while (const dirent* entry = ::readdir(proc)) {
        char* end = nullptr;
        const long pid = std::strtol(entry->d_name, &end, 10);
        if (pid > 0 && end != entry->d_name && *end == '\0') visit(static_cast<pid_t>(pid));
    }
    ::closedir(proc);
}

std::string read_proc_file(pid_t pid, const char* name) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The parent pid field of /proc/PID/stat ("PID (COMM) STATE PPID ..."; COMM
// may hold spaces and parentheses, so it is read after the last ')');
// -1 when the process is gone.
pid_t parent_of(pid_t pid) {
    const std::string stat = read_proc_file(pid, "stat");
    const auto comm_end = stat.rfind(')');
    if (comm_end == std::string::npos || comm_end + 4 >= stat.size()) return -1;
    // ") S PPID": skip the parenthesis, a space, the state and a space.
    return static_cast<pid_t>(std::strtol(stat.c_str() + comm_end + 4, nullptr, 10));
}

// The NUL-separated arguments of /proc/PID/cmdline.
std::vector<std::string> arguments_of(pid_t pid) {
    const std::string text = read_proc_file(pid, "cmdline");
    std::vector<std::string> arguments;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\0', start);
        arguments.push_back(text.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return arguments;
}

bool is_executor_of(const std::vector<std::string>& arguments, pid_t role) {
    if (arguments.size() < 4 || arguments[1] != "executor") return false;
    for (std::size_t i = 2; i + 1 < arguments.size(); ++i) {
        if (arguments[i] == "--parent-pid") return arguments[i + 1] == std::to_string(role);
    }
    return false;
}

}  // namespace

std::vector<pid_t> child_pids(pid_t parent) {
    std::vector<pid_t> children;
    for_each_pid([&](pid_t pid) {
        if (parent_of(pid) == parent) children.push_back(pid);
    });
    return children;
}

bool wait_for_child_count(pid_t parent, std::size_t count, std::chrono::milliseconds timeout) {
    return poll_until([&] { return child_pids(parent).size() == count; }, timeout,
                      std::chrono::milliseconds(20));
}

std::vector<pid_t> executor_pids_of(pid_t role) {
    std::vector<pid_t> executors;
    for_each_pid([&](pid_t pid) {
        if (is_executor_of(arguments_of(pid), role)) executors.push_back(pid);
    });
    return executors;
}

std::string describe_pids(const std::vector<pid_t>& pids) {
    std::string text;
    for (const pid_t pid : pids) text += (text.empty() ? "" : ", ") + std::to_string(pid);
    return text;
}

}  // namespace fastqueue::e2e

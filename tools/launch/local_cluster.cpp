// local_cluster.cpp -- fork/exec of `fastqueue` roles for the developer
// tools, their readiness check through the public client library, and their
// stop. Moved here from fastqueue-bench so that fastqueue-soak starts, kills
// and restarts processes with the same code.
#include "launch/local_cluster.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "fastqueue/client.hpp"
#include "launch/free_ports.hpp"
#include "launch/process_status.hpp"

namespace fastqueue::launch {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kReapPollInterval = std::chrono::milliseconds(10);

// The directory holding this executable, from /proc/self/exe.
std::filesystem::path own_directory() {
    std::error_code error;
    auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path(".") : self.parent_path();
}

// Waits until `pid` has exited (reaping it) or `deadline` passes; true when
// it was reaped (or is not our child any more).
bool reap_until(pid_t pid, SteadyClock::time_point deadline) {
    while (true) {
        int status = 0;
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || done < 0) return true;
        if (SteadyClock::now() >= deadline) return false;
        std::this_thread::sleep_for(kReapPollInterval);
    }
}

}  // namespace

std::string default_fastqueue_path() { return (own_directory() / "fastqueue").string(); }

std::string default_modules_dir() { return (own_directory().parent_path() / "modules").string(); }

LocalCluster::LocalCluster(const ClusterOptions& options, SteadyClock::time_point deadline)
    : fastqueue_path_(options.fastqueue_path) {
    std::string dir_template = "/tmp/fastqueue-" + options.name + "-XXXXXX";
    if (::mkdtemp(dir_template.data()) == nullptr) {
        throw std::runtime_error("cannot create a log dir");
    }
    log_dir_ = dir_template;

    // The control plane serves base+0..5; discovery takes one more port, and
    // each subworker its own base+0..3.
    constexpr int kControlPlanePorts = 6;
    constexpr int kSubworkerPorts = 4;
    const int all_subworkers = options.subworker_count + options.idle_subworker_count;
    const int first_port =
        find_free_port_block(kControlPlanePorts + 1 + kSubworkerPorts * all_subworkers);
    control_plane_address_ = loopback_address(first_port);
    const auto common_arguments = [&](const std::string& task_modules) {
        return std::vector<std::string>{"--task-modules",    task_modules,  "--modules-dir",
                                        options.modules_dir, "--log-level", options.log_level};
    };

    SpawnedProcess control_plane;
    control_plane.name = "control-plane";
    control_plane.arguments = {"control-plane",
                               "--worker-id",
                               options.name + "-control-plane",
                               "--base-address",
                               control_plane_address_,
                               "--discovery-address",
                               loopback_address(first_port + kControlPlanePorts)};
    const auto control_plane_common = common_arguments(options.task_modules);
    control_plane.arguments.insert(control_plane.arguments.end(), control_plane_common.begin(),
                                   control_plane_common.end());
    if (options.control_plane_concurrency > 0) {
        control_plane.arguments.insert(
            control_plane.arguments.end(),
            {"--concurrency", std::to_string(options.control_plane_concurrency)});
    }
    if (!options.journal_dir.empty()) {
        control_plane.arguments.insert(control_plane.arguments.end(),
                                       {"--journal-dir", options.journal_dir});
    }
    if (!options.journal_fsync.empty()) {
        control_plane.arguments.insert(control_plane.arguments.end(),
                                       {"--journal-fsync", options.journal_fsync});
    }
    control_plane.arguments.insert(control_plane.arguments.end(),
                                   options.extra_control_plane_arguments.begin(),
                                   options.extra_control_plane_arguments.end());
    processes_.push_back(std::move(control_plane));

    for (int index = 0; index < all_subworkers; ++index) {
        const bool is_idle = index >= options.subworker_count;
        SpawnedProcess subworker;
        subworker.name = options.name + "-sw" + std::to_string(index + 1);
        int base_port = first_port + kControlPlanePorts + 1 + kSubworkerPorts * index;
        subworker.arguments = {"subworker",
                               "--worker-id",
                               subworker.name,
                               "--control-plane-address",
                               control_plane_address_,
                               "--base-address",
                               loopback_address(base_port)};
        const auto common =
            common_arguments(is_idle ? options.idle_task_modules : options.task_modules);
        subworker.arguments.insert(subworker.arguments.end(), common.begin(), common.end());
        if (options.subworker_concurrency > 0) {
            subworker.arguments.insert(
                subworker.arguments.end(),
                {"--concurrency", std::to_string(options.subworker_concurrency)});
        }
        if (options.subworker_prefetch >= 0) {
            subworker.arguments.insert(subworker.arguments.end(),
                                       {"--prefetch", std::to_string(options.subworker_prefetch)});
        }
        processes_.push_back(std::move(subworker));
    }
    // try/catch so that a failed start still stops what was started: the
    // destructor does not run when the constructor throws.
    try {
        for (auto& process : processes_) spawn(process, /*is_restart=*/false);
        wait_until_serving(all_subworkers, deadline);
    } catch (...) {
        stop_all();
        throw;
    }
}

LocalCluster::~LocalCluster() { stop_all(); }

void LocalCluster::spawn(SpawnedProcess& process, bool is_restart) {
    process.log_path = log_dir_ + "/" + process.name + ".log";
    // Everything the child needs is built before fork(): after it, the child
    // only makes async-signal-safe calls.
    std::vector<std::string> argv_strings = {fastqueue_path_};
    argv_strings.insert(argv_strings.end(), process.arguments.begin(), process.arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argv_strings) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const int log_flags = O_WRONLY | O_CREAT | (is_restart ? O_APPEND : O_TRUNC);
    const pid_t parent = ::getpid();

    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed for " + process.name);
    if (pid == 0) {
        int log = ::open(process.log_path.c_str(), log_flags, 0644);
        if (log >= 0) {
            ::dup2(log, STDOUT_FILENO);
            ::dup2(log, STDERR_FILENO);
        }
        // If the tool dies, its processes are told to stop too.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    process.pid = pid;
}

SpawnedProcess& LocalCluster::subworker(int index) {
    if (index < 0 || index + 1 >= static_cast<int>(processes_.size())) {
        throw std::out_of_range("no subworker " + std::to_string(index));
    }
    return processes_[static_cast<std::size_t>(index) + 1];
}

bool LocalCluster::is_running(SpawnedProcess& process) {
    if (process.pid < 0) return false;
    int status = 0;
    pid_t done = ::waitpid(process.pid, &status, WNOHANG);
    if (done == process.pid || done < 0) process.pid = -1;
    return process.pid >= 0;
}

bool LocalCluster::kill_process(SpawnedProcess& process, int signal_number) {
    if (!is_running(process)) return false;
    if (auto peak = read_peak_resident_bytes(process.pid)) {
        process.peak_rss_bytes = std::max(process.peak_rss_bytes, *peak);
    }
    ::kill(process.pid, signal_number);
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(kStopDeadlineMs);
    if (!reap_until(process.pid, deadline)) return false;
    process.pid = -1;
    return true;
}

void LocalCluster::restart_process(SpawnedProcess& process) {
    if (is_running(process)) {
        throw std::logic_error(process.name + " is still running; it cannot be restarted");
    }
    spawn(process, /*is_restart=*/true);
}

bool LocalCluster::is_subworker_running(int index) { return is_running(subworker(index)); }

bool LocalCluster::kill_subworker(int index, int signal_number) {
    return kill_process(subworker(index), signal_number);
}

void LocalCluster::restart_subworker(int index) { restart_process(subworker(index)); }

bool LocalCluster::kill_control_plane(int signal_number) {
    return kill_process(processes_.front(), signal_number);
}

void LocalCluster::restart_control_plane() { restart_process(processes_.front()); }

bool LocalCluster::wait_until_control_plane_answers(SteadyClock::time_point deadline) {
    SpawnedProcess& control_plane = processes_.front();
    ClientOptions client_options;
    client_options.control_plane_address = control_plane_address_;
    client_options.timeout = std::chrono::milliseconds(500);
    while (SteadyClock::now() < deadline) {
        if (!is_running(control_plane)) {
            throw std::runtime_error("the control plane exited after its restart; see " +
                                     control_plane.log_path);
        }
        try {
            Client client(client_options);
            client.get_subworker_status();
            return true;
        } catch (const ClientError&) {
            // Not serving yet (still recovering its journal, or binding).
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

void LocalCluster::wait_until_serving(int subworker_count, SteadyClock::time_point deadline) {
    ClientOptions client_options;
    client_options.control_plane_address = control_plane_address_;
    client_options.timeout = std::chrono::milliseconds(500);
    std::string last_error = "no answer yet";
    while (SteadyClock::now() < deadline) {
        for (auto& process : processes_) {
            int status = 0;
            if (::waitpid(process.pid, &status, WNOHANG) == process.pid) {
                process.pid = -1;  // reaped: stop_all() must not signal it
                throw std::runtime_error(process.name + " exited during start; see " +
                                         process.log_path);
            }
        }
        try {
            Client client(client_options);
            auto pool = client.get_subworker_status();
            if (static_cast<int>(pool.active_subworkers) >= subworker_count) return;
            last_error = std::to_string(pool.active_subworkers) + " of " +
                         std::to_string(subworker_count) + " subworkers active";
        } catch (const ClientError& error) {
            last_error = error.what();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("the spawned processes were not serving in time (" + last_error +
                             "); logs in " + log_dir_);
}

void LocalCluster::stop_all() {
    for (auto& process : processes_) {
        if (process.pid < 0) continue;
        if (auto peak = read_peak_resident_bytes(process.pid)) {
            // A restarted subworker reports the largest of its lives.
            process.peak_rss_bytes = std::max(process.peak_rss_bytes, *peak);
        }
        ::kill(process.pid, SIGTERM);
    }
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(kStopDeadlineMs);
    for (auto& process : processes_) {
        if (process.pid < 0) continue;
        if (!reap_until(process.pid, deadline)) {
            ::kill(process.pid, SIGKILL);
            int status = 0;
            ::waitpid(process.pid, &status, 0);
        }
        process.pid = -1;
    }
}

}  // namespace fastqueue::launch

// process_launcher.cpp -- fork/exec of `fastqueue` roles for the benchmark,
// their readiness check through the public client library, and their stop.
#include "process_launcher.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "fastqueue/client.hpp"

namespace fastqueue::bench {

namespace {

// True when a TCP socket can bind 127.0.0.1:port right now.
bool is_port_free(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool is_free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return is_free;
}

std::string loopback(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

}  // namespace

std::optional<std::uint64_t> read_peak_rss_bytes(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;  // the kernel says kB
        }
    }
    return std::nullopt;
}

int find_free_port_block(int count) {
    constexpr int kFirstPort = 20000;
    constexpr int kLastPort = 60000;
    constexpr int kAttempts = 200;
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> pick(kFirstPort, kLastPort - count);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        int first = pick(random);
        bool is_free = true;
        for (int port = first; port < first + count && is_free; ++port)
            is_free = is_port_free(port);
        if (is_free) return first;
    }
    throw std::runtime_error("no block of " + std::to_string(count) + " free ports on 127.0.0.1");
}

ProcessLauncher::ProcessLauncher(const BenchOptions& options,
                                 std::chrono::steady_clock::time_point deadline)
    : fastqueue_path_(options.fastqueue_path) {
    char dir_template[] = "/tmp/fastqueue-bench-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("cannot create a log dir");
    log_dir_ = dir_template;

    // The control plane serves base+0..5; discovery takes one more port, and
    // each subworker its own base+0..3.
    constexpr int kControlPlanePorts = 6;
    constexpr int kSubworkerPorts = 4;
    const int first_port =
        find_free_port_block(kControlPlanePorts + 1 + kSubworkerPorts * options.spawn_subworkers);
    control_plane_address_ = loopback(first_port);
    const std::vector<std::string> common = {"--task-modules", options.task_modules,
                                             "--modules-dir",  options.modules_dir,
                                             "--log-level",    "warn"};

    std::vector<std::string> control_plane = {"control-plane",
                                              "--worker-id",
                                              "bench-control-plane",
                                              "--base-address",
                                              control_plane_address_,
                                              "--discovery-address",
                                              loopback(first_port + kControlPlanePorts)};
    control_plane.insert(control_plane.end(), common.begin(), common.end());
    if (options.control_plane_concurrency > 0) {
        control_plane.insert(control_plane.end(),
                             {"--concurrency", std::to_string(options.control_plane_concurrency)});
    }
    spawn("control-plane", control_plane);

    for (int index = 0; index < options.spawn_subworkers; ++index) {
        std::string worker_id = "bench-sw" + std::to_string(index + 1);
        int base_port = first_port + kControlPlanePorts + 1 + kSubworkerPorts * index;
        std::vector<std::string> subworker = {"subworker",
                                              "--worker-id",
                                              worker_id,
                                              "--control-plane-address",
                                              control_plane_address_,
                                              "--base-address",
                                              loopback(base_port)};
        subworker.insert(subworker.end(), common.begin(), common.end());
        if (options.subworker_concurrency > 0) {
            subworker.insert(subworker.end(),
                             {"--concurrency", std::to_string(options.subworker_concurrency)});
        }
        if (options.subworker_prefetch >= 0) {
            subworker.insert(subworker.end(),
                             {"--prefetch", std::to_string(options.subworker_prefetch)});
        }
        spawn(worker_id, subworker);
    }
    // try/catch so that a failed start still stops what was started: the
    // destructor does not run when the constructor throws.
    try {
        wait_until_serving(options.spawn_subworkers, deadline);
    } catch (...) {
        stop_all();
        throw;
    }
}

ProcessLauncher::~ProcessLauncher() { stop_all(); }

void ProcessLauncher::spawn(const std::string& name, const std::vector<std::string>& arguments) {
    SpawnedProcess process;
    process.name = name;
    process.log_path = log_dir_ + "/" + name + ".log";
    // Everything the child needs is built before fork(): after it, the child
    // only makes async-signal-safe calls.
    std::vector<std::string> argv_strings = {fastqueue_path_};
    argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argv_strings) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();

    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed for " + name);
    if (pid == 0) {
        int log = ::open(process.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
    processes_.push_back(process);
}

void ProcessLauncher::wait_until_serving(int subworker_count,
                                         std::chrono::steady_clock::time_point deadline) {
    ClientOptions client_options;
    client_options.control_plane_address = control_plane_address_;
    client_options.timeout = std::chrono::milliseconds(500);
    std::string last_error = "no answer yet";
    while (std::chrono::steady_clock::now() < deadline) {
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

void ProcessLauncher::stop_all() {
    for (auto& process : processes_) {
        if (process.pid < 0) continue;
        if (auto peak = read_peak_rss_bytes(process.pid)) process.peak_rss_bytes = *peak;
        ::kill(process.pid, SIGTERM);
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kStopDeadlineMs);
    for (auto& process : processes_) {
        while (process.pid >= 0) {
            int status = 0;
            pid_t done = ::waitpid(process.pid, &status, WNOHANG);
            if (done == process.pid || done < 0) {
                process.pid = -1;
            } else if (std::chrono::steady_clock::now() >= deadline) {
                ::kill(process.pid, SIGKILL);
                ::waitpid(process.pid, &status, 0);
                process.pid = -1;
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
    }
}

}  // namespace fastqueue::bench

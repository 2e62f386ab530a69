// control_plane_process.cpp -- see control_plane_process.hpp.
#include "harness/control_plane_process.hpp"

#include <stdexcept>

#include "common/uuid.hpp"
#include "harness/free_ports.hpp"

namespace fastqueue::e2e {
namespace {

constexpr int kMaxStartAttempts = 3;
constexpr std::chrono::seconds kReadyTimeout{15};
constexpr std::chrono::milliseconds kProbeTimeout{200};
constexpr std::chrono::seconds kStopTimeout{10};

}  // namespace

std::vector<std::string> control_plane_port_flags(int base_port) {
    return {"--base-address",      loopback_address(base_port),
            "--discovery-address", loopback_address(base_port + 6),
            "--subworker-port",    std::to_string(base_port + 5)};
}

ExitedControlPlane run_control_plane_to_exit(const std::vector<std::string>& args,
                                             const EnvironmentVariables& environment) {
    ExitedControlPlane exited;
    exited.base_port = find_free_port_block(ControlPlaneProcess::kPortCount);
    std::vector<std::string> full{"control-plane"};
    const auto port_flags = control_plane_port_flags(exited.base_port);
    full.insert(full.end(), port_flags.begin(), port_flags.end());
    full.insert(full.end(), args.begin(), args.end());
    exited.run = run_fastqueue(full, std::chrono::seconds(15), environment);
    return exited;
}

bool wait_until_serving(const std::string& address, Process& process,
                        std::chrono::milliseconds timeout) {
    ClientOptions options;
    options.control_plane_address = address;
    options.timeout = kProbeTimeout;
    return poll_until(
               [&] {
                   if (!process.is_running()) return false;
                   try {
                       // A fresh client per probe: a request that timed out leaves
                       // nothing behind to confuse the next one.
                       Client client(options);
                       client.get(generate_uuid());
                       return true;
                   } catch (const ClientError&) {
                       return false;
                   }
               },
               timeout, std::chrono::milliseconds(20)) &&
           process.is_running();
}

ControlPlaneProcess::ControlPlaneProcess(std::vector<std::string> extra_args,
                                         EnvironmentVariables extra_environment,
                                         std::vector<std::string> extra_task_modules) {
    std::string last_failure;
    for (int attempt = 0; attempt < kMaxStartAttempts; ++attempt) {
        base_port_ = find_free_port_block(kPortCount);
        address_ = loopback_address(base_port_);
        std::vector<std::string> argv{fastqueue_binary(), "control-plane"};
        const auto port_flags = control_plane_port_flags(base_port_);
        argv.insert(argv.end(), port_flags.begin(), port_flags.end());
        argv.insert(argv.end(), {"--task-modules", "mytasks", "--modules-dir", test_modules_dir()});
        for (const auto& module : extra_task_modules) {
            argv.push_back("--task-modules");
            argv.push_back(module);
        }
        argv.insert(argv.end(), extra_args.begin(), extra_args.end());
        process_ = std::make_unique<Process>(argv, extra_environment);

        const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (wait_until_serving(address_, *process_, remaining)) return;

        const bool has_exited = !process_->is_running();
        last_failure = "control plane on " + address_ +
                       (has_exited ? " exited at start-up" : " did not answer within 15 s") +
                       "\n--- stderr ---\n" + process_->stderr_text();
        if (has_exited && contains(process_->stderr_text(), "cannot bind")) continue;
        break;
    }
    process_.reset();
    throw std::runtime_error(last_failure);
}

ControlPlaneProcess::~ControlPlaneProcess() {
    if (process_) process_->stop_and_check(kStopTimeout);
}

ClientOptions ControlPlaneProcess::client_options(std::chrono::milliseconds timeout) const {
    ClientOptions options;
    options.control_plane_address = address_;
    options.timeout = timeout;
    return options;
}

RunResult ControlPlaneProcess::cli(const std::vector<std::string>& args,
                                   std::chrono::milliseconds timeout) const {
    std::vector<std::string> full = args;
    full.push_back("--control-plane-address");
    full.push_back(address_);
    return run_fastqueue(full, timeout);
}

std::optional<TaskRecord> wait_for_finished_record(const ClientOptions& options,
                                                   const std::string& task_id,
                                                   std::chrono::milliseconds timeout) {
    Client client(options);
    std::optional<TaskRecord> last;
    poll_until(
        [&] {
            if (auto record = client.get(task_id)) last = std::move(record);
            return last && is_finished(last->state);
        },
        timeout);
    return last;
}

bool wait_for_state(const ClientOptions& options, const std::string& task_id, TaskState state,
                    std::chrono::milliseconds timeout) {
    Client client(options);
    return poll_until(
        [&] {
            auto record = client.get(task_id);
            return record && record->state == state;
        },
        timeout);
}

}  // namespace fastqueue::e2e

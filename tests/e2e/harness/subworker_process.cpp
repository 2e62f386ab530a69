// subworker_process.cpp -- see subworker_process.hpp.
#include "harness/subworker_process.hpp"

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "harness/fastqueue_cli.hpp"
#include "harness/free_ports.hpp"

namespace fastqueue::e2e {
namespace {

constexpr int kMaxStarts = 3;
constexpr std::chrono::milliseconds kStatusTimeout{500};
constexpr std::chrono::milliseconds kStatusPollInterval{20};
constexpr std::chrono::seconds kSubworkerStopTimeout{10};

}  // namespace

std::string discovery_address(const ControlPlaneProcess& control_plane) {
    // control_plane_port_flags() puts discovery on base+6.
    return loopback_address(control_plane.base_port() + 6);
}

std::optional<SubworkerPoolStatus> try_subworker_status(const ControlPlaneProcess& control_plane) {
    try {
        // A fresh client per call: a request that timed out leaves nothing
        // behind to confuse the next one.
        Client client(control_plane.client_options(kStatusTimeout));
        return client.get_subworker_status();
    } catch (const ClientError&) {
        return std::nullopt;
    }
}

nlohmann::json workers_json(const ControlPlaneProcess& control_plane,
                            std::string* run_description) {
    const auto run = control_plane.cli({"workers", "--json"});
    if (run_description != nullptr) *run_description = run.describe();
    if (run.exit_code != 0) return nlohmann::json(nlohmann::json::value_t::discarded);
    return parse_json(run.stdout_text);
}

bool wait_for_subworker_activity(const ControlPlaneProcess& control_plane,
                                 const std::string& worker_id, bool is_active,
                                 std::chrono::milliseconds timeout) {
    return poll_until(
        [&] {
            const auto status = try_subworker_status(control_plane);
            if (!status) return false;
            const auto found = status->subworkers.find(worker_id);
            const bool is_listed_active =
                found != status->subworkers.end() && found->second.is_active;
            return is_listed_active == is_active;
        },
        timeout, kStatusPollInterval);
}

SubworkerProcess::SubworkerProcess(const ControlPlaneProcess& control_plane, std::string worker_id,
                                   std::vector<std::string> extra_args,
                                   std::vector<std::string> extra_task_modules,
                                   ControlPlaneLookup lookup)
    : control_plane_(control_plane),
      worker_id_(std::move(worker_id)),
      extra_args_(std::move(extra_args)),
      extra_task_modules_(std::move(extra_task_modules)),
      lookup_(lookup) {
    start();
}

void SubworkerProcess::start() {
    ++starts_;
    base_port_ = find_free_port_block(kPortCount);
    address_ = loopback_address(base_port_);
    std::vector<std::string> argv{fastqueue_binary(), "subworker",      "--worker-id",
                                  worker_id_,         "--base-address", address_};
    if (lookup_ == ControlPlaneLookup::by_address) {
        argv.insert(argv.end(), {"--control-plane-address", control_plane_.address()});
    } else {
        argv.insert(argv.end(), {"--discovery-address", discovery_address(control_plane_)});
    }
    argv.insert(argv.end(), {"--task-modules", "mytasks", "--modules-dir", test_modules_dir()});
    for (const auto& module : extra_task_modules_) {
        argv.push_back("--task-modules");
        argv.push_back(module);
    }
    argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
    process_ = std::make_unique<Process>(argv);
}

bool SubworkerProcess::wait_until_registered(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const bool is_registered = poll_until(
            [&] {
                if (!process_->is_running()) return true;  // stop polling; decided below
                const auto status = try_subworker_status(control_plane_);
                if (!status) return false;
                const auto found = status->subworkers.find(worker_id_);
                return found != status->subworkers.end() && found->second.is_active;
            },
            remaining, kStatusPollInterval);
        if (process_->is_running()) return is_registered;
        if (starts_ < kMaxStarts && contains(process_->stderr_text(), "cannot bind")) {
            start();
            continue;
        }
        return false;
    }
}

SubworkerProcess::~SubworkerProcess() {
    if (process_) process_->stop_and_check(kSubworkerStopTimeout);
}

std::string SubworkerProcess::describe() const {
    std::ostringstream text;
    text << "subworker " << worker_id_ << " on " << address_ << "\n--- stderr ---\n"
         << process_->stderr_text();
    return text.str();
}

std::string sleep_payload(double seconds) {
    return Client::make_payload(nlohmann::json::array({seconds}).dump(), "{}");
}

std::string echo_payload(const std::string& value) {
    return Client::make_payload(nlohmann::json::array({value}).dump(), "{}");
}

std::vector<TaskRecord> wait_for_all_finished(const ClientOptions& options,
                                              const std::vector<std::string>& task_ids,
                                              std::chrono::milliseconds timeout) {
    std::vector<TaskRecord> records(task_ids.size());
    std::vector<bool> is_done(task_ids.size(), false);
    for (std::size_t i = 0; i < task_ids.size(); ++i) records[i].task_id = task_ids[i];
    Client client(options);
    poll_until(
        [&] {
            bool is_everything_done = true;
            for (std::size_t i = 0; i < task_ids.size(); ++i) {
                if (is_done[i]) continue;
                try {
                    if (auto record = client.get(task_ids[i])) records[i] = std::move(*record);
                } catch (const ClientError&) {
                    // Asked again on the next round.
                }
                is_done[i] = is_finished(records[i].state);
                if (!is_done[i]) is_everything_done = false;
            }
            return is_everything_done;
        },
        timeout, std::chrono::milliseconds(50));
    return records;
}

std::string describe_unsuccessful(const std::vector<TaskRecord>& records) {
    std::ostringstream text;
    for (const auto& record : records) {
        if (record.state == TaskState::success) continue;
        text << record.task_id << " " << record.task_name << ": " << to_string(record.state)
             << " worker=" << record.worker_id << " attempts=" << record.attempts
             << " error=" << record.error << "\n";
    }
    return text.str();
}

}  // namespace fastqueue::e2e

// subworker_process.hpp -- a real `fastqueue subworker` process on fresh
// loopback ports, registered with a ControlPlaneProcess, for the tests of the
// subworker pool: dispatch, failure, hot add and remove, discovery.
//
// It loads `mytasks` (plus any modules the test adds) from the build's
// modules directory and binds its own base+0..3 (kPortCount ports). Starting
// it does not wait: wait_until_registered() polls the control plane's view
// of its subworkers until this worker id is active, and restarts the process
// on new ports when it exited at start-up because a port was taken after it
// was found free ("cannot bind").
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fastqueue/client.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/process.hpp"

namespace fastqueue::e2e {

// How a subworker is told where the control plane is.
enum class ControlPlaneLookup {
    by_address,    // --control-plane-address (the control plane's base address)
    by_discovery,  // only --discovery-address (the control plane's base+6)
};

class SubworkerProcess {
public:
    // Ports used: base+0..3.
    static constexpr int kPortCount = 4;

    // Starts `fastqueue subworker --worker-id worker_id` with the fixture's
    // flags (ports, the control plane's address or discovery address,
    // --task-modules mytasks and extra_task_modules, --modules-dir), then
    // extra_args. Returns at once; see wait_until_registered().
    SubworkerProcess(const ControlPlaneProcess& control_plane, std::string worker_id,
                     std::vector<std::string> extra_args = {},
                     std::vector<std::string> extra_task_modules = {},
                     ControlPlaneLookup lookup = ControlPlaneLookup::by_address);
    // Stops a still-running subworker with SIGTERM (SIGKILL after 10 s) and
    // checks how it ended: Process::stop_and_check().
    ~SubworkerProcess();
    SubworkerProcess(const SubworkerProcess&) = delete;
    SubworkerProcess& operator=(const SubworkerProcess&) = delete;

    // Polls the control plane until it lists this worker id as active, the
    // process exits (other than with "cannot bind", which restarts it on new
    // ports, up to 3 starts in all) or timeout passes. Returns whether it is
    // registered and running.
    bool wait_until_registered(std::chrono::milliseconds timeout = std::chrono::seconds(15));

    const std::string& worker_id() const { return worker_id_; }
    // tcp://127.0.0.1:BASE, the address it advertises.
    const std::string& address() const { return address_; }
    int base_port() const { return base_port_; }
    Process& process() { return *process_; }

    // "worker id, address, stderr" for failure messages.
    std::string describe() const;

private:
    void start();

    const ControlPlaneProcess& control_plane_;
    std::string worker_id_;
    std::vector<std::string> extra_args_;
    std::vector<std::string> extra_task_modules_;
    ControlPlaneLookup lookup_;
    int starts_ = 0;
    std::unique_ptr<Process> process_;
    int base_port_ = 0;
    std::string address_;
};

// tcp://127.0.0.1:BASE+6, where the fixture's control plane announces itself.
std::string discovery_address(const ControlPlaneProcess& control_plane);

// The control plane's view of its subworkers (Client::get_subworker_status
// with a short timeout); std::nullopt when it did not answer.
std::optional<SubworkerPoolStatus> try_subworker_status(const ControlPlaneProcess& control_plane);

// What `fastqueue workers --json` prints for the control plane, parsed: a
// discarded value (is_discarded()) when the command failed or printed no
// JSON. *run_description (when given) gets the command's exit status and
// output, for failure messages.
nlohmann::json workers_json(const ControlPlaneProcess& control_plane,
                            std::string* run_description = nullptr);

// Polls until the control plane lists worker_id with the given activity
// (is_active true: listed and active; false: listed as inactive or not
// listed at all). Returns whether it did within timeout.
bool wait_for_subworker_activity(const ControlPlaneProcess& control_plane,
                                 const std::string& worker_id, bool is_active,
                                 std::chrono::milliseconds timeout);

// Control plane flags for short heartbeats, so that a lost subworker is
// noticed within about a second.
inline const std::vector<std::string> kFastHeartbeats{"--heartbeat-interval", "0.2",
                                                      "--heartbeat-liveness", "3"};

// The conventional payloads of mytasks' sleep(seconds) and echo(value).
std::string sleep_payload(double seconds);
std::string echo_payload(const std::string& value);

// The records of task_ids, in the same order, each polled until it is
// finished; one overall timeout bounds the whole wait. A task with no record
// at the deadline gets a record with only its task_id set (state queued).
std::vector<TaskRecord> wait_for_all_finished(const ClientOptions& options,
                                              const std::vector<std::string>& task_ids,
                                              std::chrono::milliseconds timeout);

// The task ids whose record is not state success, each with its state,
// worker and error, for failure messages ("" when every one succeeded).
std::string describe_unsuccessful(const std::vector<TaskRecord>& records);

}  // namespace fastqueue::e2e

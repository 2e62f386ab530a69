// control_plane_process.hpp -- a real `fastqueue control-plane` process on
// fresh loopback ports, started and waited for until it answers queries, for
// the tests that need a running control plane.
//
// It loads `mytasks` (plus any --task-modules the test adds) from the build's
// modules directory. Readiness is observed, not assumed: the fixture asks the
// query port for a random task id until it answers "not found". When the
// process exits at start-up because a port was taken after the ports were
// found free ("cannot bind"), it starts again on new ports, up to 3 starts in
// all.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fastqueue/client.hpp"
#include "harness/fastqueue_cli.hpp"
#include "harness/process.hpp"

namespace fastqueue::e2e {

class ControlPlaneProcess {
public:
    // Ports used: base+0..5 and the discovery port base+6.
    static constexpr int kPortCount = 7;

    // Starts the control plane and returns once it answers queries: the
    // fixture's own flags (ports, --task-modules mytasks, --modules-dir), then
    // extra_args, with extra_environment set and the extra_task_modules
    // loaded besides mytasks. Throws std::runtime_error (with the process's
    // stderr) when it does not become ready.
    explicit ControlPlaneProcess(std::vector<std::string> extra_args = {},
                                 EnvironmentVariables extra_environment = {},
                                 std::vector<std::string> extra_task_modules = {});
    // Stops a still-running control plane with SIGTERM (SIGKILL after 10 s)
    // and checks how it ended: Process::stop_and_check().
    ~ControlPlaneProcess();
    ControlPlaneProcess(const ControlPlaneProcess&) = delete;
    ControlPlaneProcess& operator=(const ControlPlaneProcess&) = delete;

    // tcp://127.0.0.1:BASE, what clients take as --control-plane-address.
    const std::string& address() const { return address_; }
    int base_port() const { return base_port_; }

    // Client options for this control plane with the given timeout.
    ClientOptions client_options(
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    // Runs `fastqueue SUBCOMMAND ARGS... --control-plane-address ADDRESS`.
    RunResult cli(const std::vector<std::string>& args,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

    Process& process() { return *process_; }

private:
    std::unique_ptr<Process> process_;
    int base_port_ = 0;
    std::string address_;
};

// The flags that put a control plane on the ports base+0..5 and the
// discovery port base+6 (ControlPlaneProcess::kPortCount ports in all).
std::vector<std::string> control_plane_port_flags(int base_port);

// A control plane run that was expected to stop on its own (bad
// configuration, a plugin that does not load): what it printed and the base
// of the ports it was given, so a test can check they were never bound.
struct ExitedControlPlane {
    RunResult run;
    int base_port = 0;
};

// Runs `fastqueue control-plane` on fresh ports with `args` after the port
// flags and waits (up to 15 s) for it to exit.
ExitedControlPlane run_control_plane_to_exit(const std::vector<std::string>& args,
                                             const EnvironmentVariables& environment = {});

// Polls the query port of the control plane at address until it answers (any
// answer: "not found" is the expected one) or process exits or timeout
// passes. Returns true once it answered.
bool wait_until_serving(const std::string& address, Process& process,
                        std::chrono::milliseconds timeout);

// The record of task_id, polled until it is finished (success, failure or
// cancelled) or timeout passes; the last record read otherwise (std::nullopt
// when none was ever found).
std::optional<TaskRecord> wait_for_finished_record(const ClientOptions& options,
                                                   const std::string& task_id,
                                                   std::chrono::milliseconds timeout);

// Polls until the record of task_id is in `state`; returns whether it was.
bool wait_for_state(const ClientOptions& options, const std::string& task_id, TaskState state,
                    std::chrono::milliseconds timeout);

}  // namespace fastqueue::e2e

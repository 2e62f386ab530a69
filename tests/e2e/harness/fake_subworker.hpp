// fake_subworker.hpp -- a subworker played by the test over the wire: four
// bound ROUTER task ports and a DEALER to a control plane's management port,
// so that a test can register, take the SUBMITs the control plane dispatches
// and answer them with whatever it likes, forged and malformed replies
// included.
//
// Nothing runs in the background: the fake heartbeats (and reads what
// arrives) only while the test is inside register_with_control_plane(),
// receive_submit() or pump(). A test that wants it to stay registered calls
// one of them at least once per liveness window of the control plane.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "fastqueue/task.hpp"
#include "harness/control_plane_process.hpp"

namespace fastqueue::e2e {

// A SUBMIT the control plane sent to the fake.
struct DispatchedTask {
    int priority = 0;        // the task port (base+priority) it came in on
    std::string routing_id;  // the control plane's connection on that port
    std::string task_id;
    std::string task_name;
};

class FakeSubworker {
public:
    static constexpr int kPortCount = 4;

    // Binds base+0..3 on fresh loopback ports and connects to the control
    // plane's management port. It registers as worker_id, able to run
    // task_names, with capacity 4 and prefetch 0.
    FakeSubworker(const ControlPlaneProcess& control_plane, std::string worker_id,
                  std::vector<std::string> task_names,
                  std::chrono::milliseconds heartbeat_interval);
    FakeSubworker(const FakeSubworker&) = delete;
    FakeSubworker& operator=(const FakeSubworker&) = delete;

    // Sends REGISTER and waits for REGISTERED; false on anything else
    // (REGISTER_REFUSED, ERROR) or when nothing came within timeout.
    bool register_with_control_plane(std::chrono::milliseconds timeout);

    // The next SUBMIT on any task port (oldest first), heartbeating while
    // it waits; std::nullopt when none came within timeout.
    std::optional<DispatchedTask> receive_submit(std::chrono::milliseconds timeout);

    // Heartbeats and reads what arrives for `duration`; SUBMITs are kept
    // for receive_submit().
    void pump(std::chrono::milliseconds duration);

    // Sends frames, byte for byte, on the connection `task` came in on.
    void reply(const DispatchedTask& task, const std::vector<std::string>& frames);

    const std::string& worker_id() const { return worker_id_; }
    // tcp://127.0.0.1:BASE, the address it registers.
    const std::string& address() const { return address_; }

private:
    void bind_task_ports();
    void send_management(const std::vector<std::string>& frames);
    // Waits up to `timeout` for something to arrive; reads it. Returns the
    // management message's type when one came ("" otherwise).
    std::string read_once(std::chrono::milliseconds timeout);
    void heartbeat_if_due();

    std::string worker_id_;
    std::vector<std::string> task_names_;
    std::chrono::milliseconds heartbeat_interval_;
    std::chrono::steady_clock::time_point next_heartbeat_{};
    zmq::context_t context_{1};
    std::vector<zmq::socket_t> task_ports_;
    zmq::socket_t management_;
    std::string address_;
    std::deque<DispatchedTask> submits_;
};

// The five frames of a well-formed RESULT for task_id: state, result and
// worker_id as given, attempts 1, every timestamp now, priority normal.
std::vector<std::string> result_frames(const std::string& task_id, const std::string& task_name,
                                       TaskState state, const std::string& result,
                                       const std::string& worker_id);

}  // namespace fastqueue::e2e

// subworker.hpp -- the subworker role: registers with a control plane,
// heartbeats its load, runs the tasks it is sent on the shared execution
// engine and returns their results.
//
// Like ControlPlane it is an actor: construction binds base+0..3 of
// settings.base_address and starts the I/O thread (registration then goes on
// in the background, retrying with backoff while the control plane is
// unreachable); request_stop() deregisters at once, stops taking tasks and
// lets running ones finish within the grace period; the destructor stops and
// joins.
//
// Task ports: a SUBMIT (docs/protocol.md) from the control plane is answered
// with ACK and, when the task ends, RESULT (worker_id = this subworker's id).
// Tasks wait in a local priority queue while every handler thread is busy
// (the control plane sends at most capacity + prefetch). While stopping, a
// SUBMIT that has not started is answered REFUSED "subworker shutting down"
// so that the control plane dispatches it elsewhere.
//
// CURVE (settings.curve_secret_key and control_plane_key, docs/security.md):
// the management DEALER is a CURVE client of the control plane's key, and
// the task ports are CURVE servers with this subworker's key whose ZAP
// handler admits the control plane's key alone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/settings.hpp"

namespace fastqueue {

class TaskRegistry;

// Why a subworker stopped on its own.
enum class SubworkerExit {
    running,              // has not stopped
    stopped,              // request_stop() and a clean drain
    registration_refused  // the control plane refused it (e.g. duplicate id)
};

// Counters, for logs and tests. Read with stats(); approximate while running.
struct SubworkerStats {
    // Messages refused: malformed or not accepted on a task port (answered
    // ERROR), or malformed from the control plane (dropped). Each is also
    // logged once as "rejected message #N from PEER on ADDRESS: REASON".
    std::uint64_t messages_rejected = 0;
};

class Subworker {
public:
    // settings.control_plane_address must be set (the command resolves
    // discovery before constructing). Throws std::runtime_error naming the
    // address when a port cannot be bound, or naming a CURVE key file that
    // cannot be used.
    Subworker(const SubworkerSettings& settings, const TaskRegistry& registry);
    ~Subworker();
    Subworker(const Subworker&) = delete;
    Subworker& operator=(const Subworker&) = delete;

    void request_stop();  // thread-safe
    void wait();
    bool is_stopped() const;
    SubworkerExit exit_reason() const;
    // The control plane's refusal, when exit_reason() is registration_refused.
    std::string refusal_reason() const;
    bool has_abandoned_handlers() const;

    SubworkerStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fastqueue

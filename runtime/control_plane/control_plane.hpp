// control_plane.hpp -- the control-plane role: takes tasks on four priority
// ports, runs them on its execution engine in strict priority order, caches
// their records and answers queries and cancels on the query port.
//
// With subworkers registered on the management port (base+5 or
// --subworker-port), each task goes to the least-loaded live subworker that
// can run it; the control plane runs a task itself only when none can and
// its own plugins can (with settings.engine.concurrency 0 it runs none).
// A task nobody live can run waits queued until a subworker that offers it
// registers.
//
// A ControlPlane is an actor: construction binds every port and starts its
// I/O thread, and returns only when it is serving (or throws, naming the
// address that could not be bound). request_stop() asks it to stop politely;
// the destructor stops it and joins. A test can therefore run a control plane
// inside its own process.
#pragma once

#include <cstdint>
#include <memory>

#include "config/settings.hpp"

namespace fastqueue {

class TaskRegistry;

// Counters, for logs and tests. Read with stats(); approximate while running.
struct ControlPlaneStats {
    std::uint64_t tasks_accepted = 0;
    std::uint64_t tasks_finished = 0;
    std::uint64_t messages_rejected = 0;  // malformed or invalid requests
};

class ControlPlane {
public:
    // Binds base+0..4 of settings.base_address and starts serving. The
    // registry must outlive the control plane. Throws std::runtime_error when
    // a port cannot be bound (the message names the address).
    ControlPlane(const ControlPlaneSettings& settings, const TaskRegistry& registry);
    // request_stop() then wait().
    ~ControlPlane();
    ControlPlane(const ControlPlane&) = delete;
    ControlPlane& operator=(const ControlPlane&) = delete;

    // Thread-safe; may be called from any thread: stops
    // taking tasks; running tasks get settings.engine.shutdown_grace_seconds
    // to finish, then their cancellation flags are raised.
    void request_stop();
    // Blocks until the I/O thread has finished its shutdown.
    void wait();
    // True once the I/O thread has finished.
    bool is_stopped() const;

    // True when, after the grace period and the cancellation wait, some
    // handlers still had not returned. Their threads still use this object,
    // so the process must then end (std::_Exit) without destroying it.
    bool has_abandoned_handlers() const;

    ControlPlaneStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fastqueue

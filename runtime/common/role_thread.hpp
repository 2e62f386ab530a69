// role_thread.hpp -- the thread, the stop doorbell and the finished flag that
// every role actor (control plane, subworker) owns, so that each role writes
// only its loop and what it does after it.
//
// The role's I/O loop polls stop_fd() next to its sockets and calls
// acknowledge_stop() when it is readable; request_stop() may be called from
// any thread, any number of times.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "common/wakeup.hpp"

namespace fastqueue {

class RoleThread {
public:
    RoleThread() = default;
    // Joins the thread if it is still running (after request_stop()).
    ~RoleThread();
    RoleThread(const RoleThread&) = delete;
    RoleThread& operator=(const RoleThread&) = delete;

    // Runs loop() on a new thread, then after_loop(), then marks the role
    // finished. An exception escaping loop() is logged as critical, naming
    // the role; after_loop() runs either way. Starting a thread is a full
    // memory barrier, which is what ZeroMQ asks for when sockets created on
    // the calling thread move to the new one.
    void start(std::string role_name, std::function<void()> loop, std::function<void()> after_loop);

    void request_stop();  // thread-safe, idempotent
    int stop_fd() const { return stop_doorbell_.fd(); }
    void acknowledge_stop() { stop_doorbell_.drain(); }

    void join();
    bool is_finished() const { return is_finished_; }

private:
    Wakeup stop_doorbell_;
    std::atomic<bool> is_stop_requested_{false};
    std::atomic<bool> is_finished_{false};
    std::thread thread_;
};

}  // namespace fastqueue

// execution_engine.hpp -- runs tasks on a fixed pool of handler threads.
//
// The engine is shared by every role: the control plane uses it to run tasks
// itself, a subworker to run what it is sent. It never queues: the owner keeps
// its own priority queue and starts a task only while free_slots() > 0, so the
// owner alone decides the order tasks run in. Sockets never wait for a
// handler: start() hands the task to an idle thread and returns at once, and
// the outcome is delivered through the completion sink.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "fastqueue/task.hpp"

namespace fastqueue {

class TaskRegistry;

// A task handed to the engine.
struct TaskAssignment {
    std::string task_id;
    std::string task_name;
    zmq::message_t payload;  // moved in; the handler reads it in place
};

// How a task run ended.
struct TaskOutcome {
    std::string task_id;
    TaskState state = TaskState::failure;  // success, failure or cancelled
    std::string result;  // success: the result bytes ("null" when the handler set none)
    std::string error;   // failure/cancelled: the message
    Timestamp started_at{};
    Timestamp finished_at{};
};

class ExecutionEngine {
public:
    // Called on a handler thread once per started task, after the handler
    // returned. Must be thread-safe and must not block for long.
    using CompletionSink = std::function<void(TaskOutcome&&)>;

    // Starts `concurrency` handler threads (at least 1). The registry must
    // outlive the engine.
    ExecutionEngine(const TaskRegistry& registry, std::size_t concurrency, CompletionSink on_done);
    // Raises every running task's cancellation flag and joins the threads
    // (waiting for handlers to return).
    ~ExecutionEngine();
    ExecutionEngine(const ExecutionEngine&) = delete;
    ExecutionEngine& operator=(const ExecutionEngine&) = delete;

    std::size_t concurrency() const;
    // Threads not running a task and not about to. Accurate from the thread
    // that calls start(); may only grow concurrently (when handlers finish).
    std::size_t free_slots() const;
    // Tasks started and not yet finished.
    std::size_t running() const;

    // Starts a task on an idle handler thread. Precondition: free_slots() > 0.
    // An unknown task name ends as failure "unknown task 'NAME'"; a handler
    // that throws ends as failure with the exception's message; a handler
    // that returns after its cancellation flag was raised, without setting a
    // result, ends as cancelled.
    void start(TaskAssignment task);

    // Raises the cancellation flag of a running task. False when it is not
    // running here.
    bool cancel(std::string_view task_id);
    // Raises the flag of every running task.
    void cancel_all();

    // The last progress a running task reported, if any.
    std::optional<double> progress(std::string_view task_id) const;

    // Waits until no task is running or the grace period ends; returns how
    // many are still running.
    std::size_t wait_idle(std::chrono::milliseconds grace);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fastqueue

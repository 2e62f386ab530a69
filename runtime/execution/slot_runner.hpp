// slot_runner.hpp -- how one handler slot of the execution engine runs the
// tasks its thread takes: on that thread (thread isolation), or in an
// executor process the thread supervises (process isolation).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <zmq.hpp>

#include "execution/execution_engine.hpp"

struct fq_task_context;

namespace fastqueue {

struct RegisteredTask;

class SlotRunner {
public:
    // Waits `delay` unless the engine stops first; true when it stopped.
    using StopAwareWait = std::function<bool(std::chrono::milliseconds delay)>;

    virtual ~SlotRunner() = default;

    // Whether run() can run a task now, without make_ready().
    virtual bool is_ready() const = 0;

    // Makes the slot able to run a task before its thread takes one (process
    // isolation: a live executor, started again, after a backoff when they
    // keep dying, if the last one died). False when the engine stopped first.
    virtual bool make_ready(const StopAwareWait& wait) = 0;

    // Runs a task of a known name: fills outcome.state, result, error and
    // retryable as ExecutionEngine::start documents, and in process
    // isolation the failure of a task whose executor died, was killed or
    // broke its channel. May be called when make_ready() returned false (the
    // engine stops): it then fails the task without running it.
    virtual void run(const RegisteredTask& entry, fq_task_context& context,
                     const zmq::message_t& payload, TaskOutcome& outcome) = 0;
};

// Runs handlers on the calling thread.
std::unique_ptr<SlotRunner> make_thread_slot();

}  // namespace fastqueue

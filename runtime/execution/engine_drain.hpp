// engine_drain.hpp -- the polite stop of an execution engine, as every role
// that owns one performs it: running tasks get the grace period to finish,
// then their cancellation flags are raised, and after a short wait for
// handlers to honour them the role stops waiting.
//
// A role's I/O thread starts an EngineDrain when it is asked to stop and
// calls advance() on every turn of its poll loop (polling at most
// poll_timeout() apart), collecting the engine's last outcomes before it
// leaves once advance() says finished. Not thread-safe: it belongs to that
// I/O thread.
#pragma once

#include <chrono>
#include <memory>

namespace fastqueue {

class ExecutionEngine;

class EngineDrain {
public:
    enum class Step {
        draining,   // tasks still running, keep polling
        finished,   // every outcome has been delivered to the completion sink
        abandoned,  // handlers ignored cancellation; stop waiting for them
    };

    // After the grace period, how long handlers get to honour their raised
    // cancellation flags before the role stops waiting for them.
    static constexpr auto kCancelWait = std::chrono::seconds(2);
    // How often a draining loop should look at the engine.
    static constexpr auto kPollInterval = std::chrono::milliseconds(50);

    // Starts the grace period now. `engine` must outlive this object.
    EngineDrain(ExecutionEngine& engine, double grace_seconds);

    // Raises every cancellation flag once the grace period is over and says
    // whether the role may stop. Logs each step.
    Step advance();

    // True once the grace period has ended (a role that also waits for work
    // elsewhere, such as tasks on subworkers, stops waiting for it then).
    bool is_grace_over() const { return SteadyClock::now() >= grace_deadline_; }

    // Call after the I/O loop ended. When handlers still run (they ignored
    // cancellation), their threads keep using the engine, which therefore
    // cannot be destroyed: it is released (left to the process's exit, which
    // must then be std::_Exit) and true is returned.
    static bool abandon_if_running(std::unique_ptr<ExecutionEngine>& engine);

private:
    using SteadyClock = std::chrono::steady_clock;

    ExecutionEngine& engine_;
    SteadyClock::time_point grace_deadline_;
    bool is_cancel_raised_ = false;
};

}  // namespace fastqueue

// engine_drain.cpp -- see engine_drain.hpp.
#include "execution/engine_drain.hpp"

#include <spdlog/spdlog.h>

#include "execution/execution_engine.hpp"

namespace fastqueue {

EngineDrain::EngineDrain(ExecutionEngine& engine, double grace_seconds)
    : engine_(engine),
      grace_deadline_(SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                               std::chrono::duration<double>(grace_seconds))) {}

EngineDrain::Step EngineDrain::advance() {
    // running() reaches 0 only after the last outcome was posted; the caller
    // collects it before leaving, or that task's result is lost.
    if (engine_.running() == 0) return Step::finished;
    const auto now = SteadyClock::now();
    if (!is_cancel_raised_ && now >= grace_deadline_) {
        spdlog::warn("grace period over: raising the cancellation flag of {} running task(s)",
                     engine_.running());
        engine_.cancel_all();
        is_cancel_raised_ = true;
    }
    if (is_cancel_raised_ && now >= grace_deadline_ + kCancelWait) {
        spdlog::error("{} handler(s) ignored cancellation; exiting without them",
                      engine_.running());
        return Step::abandoned;
    }
    return Step::draining;
}

bool EngineDrain::abandon_if_running(std::unique_ptr<ExecutionEngine>& engine) {
    if (!engine || engine->running() == 0) return false;
    static_cast<void>(engine.release());
    return true;
}

}  // namespace fastqueue

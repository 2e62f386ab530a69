// handler_call.hpp -- calling a plugin's task handler and turning what it
// did into an outcome. Both isolation modes use it: a handler thread of the
// role (thread mode) and an executor process (process mode).
#pragma once

#include "execution/execution_engine.hpp"

struct fq_task_context;

namespace fastqueue {

struct RegisteredTask;

// Calls entry's handler with the payload in place and fills outcome.state,
// result, error and retryable as ExecutionEngine::start documents: an
// exception is a failure with its message; FQ_OK with a result (or without
// a cancel) a success; a cancel honoured a cancellation; any other status a
// failure, retryable for FQ_ERROR_RETRYABLE. Leaves the timings alone.
void run_handler(const RegisteredTask& entry, fq_task_context& context, const void* payload,
                 std::size_t payload_size, TaskOutcome& outcome);

}  // namespace fastqueue

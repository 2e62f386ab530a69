// handler_call.cpp -- see handler_call.hpp.
#include "execution/handler_call.hpp"

#include <exception>
#include <string>

#include "plugins/task_context.hpp"
#include "plugins/task_registry.hpp"

namespace fastqueue {

namespace {

// What the handler call ended in, before it is classified.
struct HandlerReturn {
    bool threw = false;
    int status = FQ_OK;
    std::string exception_message;  // set when threw
};

HandlerReturn call_handler(const RegisteredTask& entry, fq_task_context& context,
                           const void* payload, std::size_t payload_size) {
    HandlerReturn ret;
    // The handler reads the payload in place: it is never copied for it.
    const auto* input = static_cast<const std::uint8_t*>(payload);
    try {
        ret.status = entry.handler(&context, input, payload_size, entry.user_data);
    } catch (const std::exception& e) {
        ret.threw = true;
        ret.exception_message = e.what();
    } catch (...) {
        ret.threw = true;
        ret.exception_message = "handler threw a non-standard exception";
    }
    return ret;
}

// Turns a handler's return and what it set on its context into the outcome
// states a client sees. A handler that set a result and returned FQ_OK
// finished its work, so it succeeds even when a cancel arrived meanwhile.
void classify(const HandlerReturn& ret, fq_task_context& context, TaskOutcome& outcome) {
    if (ret.threw) {
        outcome.state = TaskState::failure;
        outcome.error = ret.exception_message;
        return;
    }
    const bool is_cancel_requested = context.is_cancelled();
    if (ret.status == FQ_OK && (context.has_result() || !is_cancel_requested)) {
        outcome.state = TaskState::success;
        outcome.result = context.has_result() ? std::move(context.result()) : std::string("null");
        return;
    }
    if (is_cancel_requested) {
        outcome.state = TaskState::cancelled;
        outcome.error = context.has_error() ? std::move(context.error()) : std::string("cancelled");
        return;
    }
    outcome.state = TaskState::failure;
    outcome.retryable = ret.status == FQ_ERROR_RETRYABLE;
    outcome.error = context.has_error() ? std::move(context.error())
                                        : "handler returned status " + std::to_string(ret.status);
}

}  // namespace

void run_handler(const RegisteredTask& entry, fq_task_context& context, const void* payload,
                 std::size_t payload_size, TaskOutcome& outcome) {
    classify(call_handler(entry, context, payload, payload_size), context, outcome);
}

}  // namespace fastqueue

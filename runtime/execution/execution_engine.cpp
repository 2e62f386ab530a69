// execution_engine.cpp -- the handler thread pool behind ExecutionEngine.
//
// A fixed set of threads waits on one condition variable for hand-offs. start()
// takes a free slot and hands the task over under the engine mutex, so at most
// free_slots() tasks are ever waiting for a thread: the engine never queues
// work of its own. Each task's fq_task_context is created in start() and
// registered by task id at once, so cancel() and progress() find a task from
// the moment start() returns until its handler returns.
#include "execution/execution_engine.hpp"

#include <deque>
#include <exception>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "execution/task_context.hpp"
#include "plugins/task_registry.hpp"

namespace fastqueue {

namespace {

// One task between start() and the end of its run.
struct Job {
    TaskAssignment task;
    std::unique_ptr<fq_task_context> context;
};

// What the handler call ended in, before it is classified.
struct HandlerReturn {
    bool threw = false;
    int status = FQ_OK;
    std::string exception_message;  // set when threw
};

HandlerReturn call_handler(const RegisteredTask& entry, fq_task_context& context,
                           const zmq::message_t& payload) {
    HandlerReturn ret;
    // The handler reads the payload in place: the engine never copies it.
    const auto* input = static_cast<const std::uint8_t*>(payload.data());
    try {
        ret.status = entry.handler(&context, input, payload.size(), entry.user_data);
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
    outcome.error = context.has_error()
                        ? std::move(context.error())
                        : "handler returned status " + std::to_string(ret.status);
}

}  // namespace

struct ExecutionEngine::Impl {
    Impl(const TaskRegistry& registry_in, std::size_t concurrency_in, CompletionSink sink)
        : registry(registry_in),
          concurrency(concurrency_in == 0 ? 1 : concurrency_in),
          on_done(std::move(sink)),
          free_slots(concurrency) {}

    void thread_main();
    void run(Job job);
    void forget_context(const fq_task_context* context);

    const TaskRegistry& registry;
    const std::size_t concurrency;
    const CompletionSink on_done;

    mutable std::mutex mutex;
    std::condition_variable work_ready;  // signalled when handoff grows or stopping is set
    std::condition_variable idle;        // signalled when a task's outcome has been delivered
    std::deque<Job> handoff;             // guarded by mutex; never longer than the idle threads
    std::size_t free_slots;              // guarded by mutex
    std::size_t undelivered = 0;  // guarded by mutex; started tasks whose sink has not returned
    bool is_stopping = false;     // guarded by mutex
    // Contexts of tasks between start() and the return of their handler, by
    // task id (a multimap: a re-dispatched id may briefly run twice). Guarded
    // by mutex; the pointers are owned by the Jobs.
    std::unordered_multimap<std::string, fq_task_context*> contexts;
    std::vector<std::thread> threads;  // written only by the constructor and destructor
};

void ExecutionEngine::Impl::thread_main() {
    for (;;) {
        Job job;
        {
            std::unique_lock<std::mutex> lock(mutex);
            work_ready.wait(lock, [&] { return !handoff.empty() || is_stopping; });
            // A task already handed over still runs when stopping (its cancel
            // flag is raised), so every started task gets exactly one outcome.
            if (handoff.empty()) return;
            job = std::move(handoff.front());
            handoff.pop_front();
        }
        run(std::move(job));
    }
}

void ExecutionEngine::Impl::forget_context(const fq_task_context* context) {
    std::lock_guard<std::mutex> lock(mutex);
    auto [first, last] = contexts.equal_range(context->task_id());
    for (auto it = first; it != last; ++it) {
        if (it->second == context) {
            contexts.erase(it);
            return;
        }
    }
}

void ExecutionEngine::Impl::run(Job job) {
    fq_task_context& context = *job.context;
    TaskOutcome outcome;
    outcome.task_id = job.task.task_id;
    outcome.started_at = Clock::now();
    const auto started_steady = std::chrono::steady_clock::now();

    if (const RegisteredTask* entry = registry.find(job.task.task_name); entry == nullptr) {
        outcome.state = TaskState::failure;
        outcome.error = "unknown task '" + job.task.task_name + "'";
    } else {
        HandlerReturn ret = call_handler(*entry, context, job.task.payload);
        classify(ret, context, outcome);
    }
    outcome.finished_at = Clock::now();

    // After the handler returned a cancel can change nothing, so the task
    // stops being cancellable here, before its context goes away.
    forget_context(&context);

    if (spdlog::should_log(spdlog::level::debug)) {
        const auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - started_steady)
                                    .count();
        spdlog::debug("task {} '{}' ended {} after {} us", outcome.task_id, job.task.task_name,
                      to_string(outcome.state), elapsed_us);
    }
    job = Job{};  // release the payload and context before handing the outcome on

    // The slot is free before the sink runs, so an owner woken by the sink
    // always sees it in free_slots() and can start its next task at once.
    // The task still counts in running() until the sink returns, so an owner
    // that sees running() == 0 knows every outcome has been handed over.
    {
        std::lock_guard<std::mutex> lock(mutex);
        ++free_slots;
    }
    try {
        on_done(std::move(outcome));
    } catch (const std::exception& e) {
        spdlog::error("completion sink threw for a task: {}", e.what());
    } catch (...) {
        spdlog::error("completion sink threw a non-standard exception");
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        --undelivered;
        if (undelivered == 0) idle.notify_all();
    }
}

ExecutionEngine::ExecutionEngine(const TaskRegistry& registry, std::size_t concurrency,
                                 CompletionSink on_done)
    : impl_(std::make_unique<Impl>(registry, concurrency, std::move(on_done))) {
    impl_->threads.reserve(impl_->concurrency);
    for (std::size_t i = 0; i < impl_->concurrency; ++i) {
        impl_->threads.emplace_back([impl = impl_.get()] { impl->thread_main(); });
    }
}

ExecutionEngine::~ExecutionEngine() {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->is_stopping = true;
        for (auto& [task_id, context] : impl_->contexts) context->request_cancel();
    }
    impl_->work_ready.notify_all();
    for (auto& thread : impl_->threads) thread.join();
}

std::size_t ExecutionEngine::concurrency() const { return impl_->concurrency; }

std::size_t ExecutionEngine::free_slots() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->free_slots;
}

std::size_t ExecutionEngine::running() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->undelivered;
}

void ExecutionEngine::start(TaskAssignment task) {
    auto context = std::make_unique<fq_task_context>(task.task_id, task.task_name);
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        // Calling start() without a free slot, or on an engine being
        // destroyed, is a bug in the owner, not bad input.
        if (impl_->is_stopping) throw std::logic_error("ExecutionEngine::start while stopping");
        if (impl_->free_slots == 0) {
            throw std::logic_error("ExecutionEngine::start with no free slot (concurrency " +
                                   std::to_string(impl_->concurrency) + ")");
        }
        --impl_->free_slots;
        ++impl_->undelivered;
        impl_->contexts.emplace(task.task_id, context.get());
        impl_->handoff.push_back(Job{std::move(task), std::move(context)});
    }
    impl_->work_ready.notify_one();
}

bool ExecutionEngine::cancel(std::string_view task_id) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto [first, last] = impl_->contexts.equal_range(std::string(task_id));
    if (first == last) return false;
    for (auto it = first; it != last; ++it) it->second->request_cancel();
    return true;
}

void ExecutionEngine::cancel_all() {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (auto& [task_id, context] : impl_->contexts) context->request_cancel();
}

std::optional<double> ExecutionEngine::progress(std::string_view task_id) const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->contexts.find(std::string(task_id));
    if (it == impl_->contexts.end()) return std::nullopt;
    return it->second->progress();
}

std::size_t ExecutionEngine::wait_idle(std::chrono::milliseconds grace) {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    impl_->idle.wait_for(lock, grace, [&] { return impl_->undelivered == 0; });
    return impl_->undelivered;
}

void apply_outcome(TaskRecord& record, TaskOutcome&& outcome) {
    record.state = outcome.state;
    record.result = std::move(outcome.result);
    record.error = std::move(outcome.error);
    if (outcome.started_at != Timestamp{}) record.started_at = outcome.started_at;
    record.finished_at = outcome.finished_at != Timestamp{} ? outcome.finished_at : Clock::now();
}

}  // namespace fastqueue

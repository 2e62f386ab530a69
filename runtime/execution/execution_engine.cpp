// execution_engine.cpp -- the handler thread pool behind ExecutionEngine.
//
// A fixed set of threads waits on one condition variable for hand-offs. start()
// takes a free slot and hands the task over under the engine mutex, so at most
// free_slots() tasks are ever waiting for a thread: the engine never queues
// work of its own. Each task's fq_task_context is created in start() and
// registered by task id at once, so cancel() and progress() find a task from
// the moment start() returns until its handler returns.
//
// Run-time limits: a run with a limit is entered in `timed_runs` and its
// deadline in `deadlines`. One watchdog thread sleeps until the earliest
// deadline. Whichever comes first under the engine mutex -- the watchdog
// marking the run timed out, or the handler thread forgetting the run --
// decides who delivers the run's one outcome.
#include "execution/execution_engine.hpp"

#include <deque>
#include <exception>
#include <map>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/duration_text.hpp"
#include "execution/task_context.hpp"
#include "plugins/task_registry.hpp"

namespace fastqueue {

namespace {

using SteadyClock = std::chrono::steady_clock;

// One task between start() and the end of its run.
struct Job {
    TaskAssignment task;
    std::unique_ptr<fq_task_context> context;
    std::uint64_t run_id = 0;  // its entry in timed_runs; 0 when it has no limit
};

// A run with a limit, until its handler returns.
struct TimedRun {
    std::string task_id;
    Timestamp started_at;
    std::chrono::milliseconds limit;
    fq_task_context* context;  // owned by the Job
    bool is_timed_out = false;
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
    outcome.retryable = ret.status == FQ_ERROR_RETRYABLE;
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
    void watchdog_main();
    void run(Job job);
    // Unregisters a run whose handler returned; true when it had timed out
    // (its outcome was already delivered).
    bool forget_run(const fq_task_context* context, std::uint64_t run_id);
    // Under the mutex: ends the runs whose deadline passed, returning their
    // outcomes (each counted in undelivered), and reports handlers that
    // ignore the cancellation of a timed-out run.
    std::vector<TaskOutcome> expire_runs(SteadyClock::time_point now);
    void deliver(TaskOutcome&& outcome);

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
    // Runs with a limit, by run id, and their deadlines (guarded by mutex).
    // A deadline whose run has ended is skipped when it comes up.
    std::unordered_map<std::uint64_t, TimedRun> timed_runs;
    std::multimap<SteadyClock::time_point, std::uint64_t> deadlines;
    std::uint64_t last_run_id = 0;
    std::condition_variable deadlines_changed;  // wakes the watchdog
    std::vector<std::thread> threads;  // written only by the constructor and destructor
    std::thread watchdog;
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

bool ExecutionEngine::Impl::forget_run(const fq_task_context* context, std::uint64_t run_id) {
    std::lock_guard<std::mutex> lock(mutex);
    auto [first, last] = contexts.equal_range(context->task_id());
    for (auto it = first; it != last; ++it) {
        if (it->second == context) {
            contexts.erase(it);
            break;
        }
    }
    auto run = timed_runs.find(run_id);
    if (run == timed_runs.end()) return false;
    const bool is_timed_out = run->second.is_timed_out;
    timed_runs.erase(run);
    return is_timed_out;
}

std::vector<TaskOutcome> ExecutionEngine::Impl::expire_runs(SteadyClock::time_point now) {
    std::vector<TaskOutcome> outcomes;
    while (!deadlines.empty() && deadlines.begin()->first <= now) {
        const std::uint64_t run_id = deadlines.begin()->second;
        deadlines.erase(deadlines.begin());
        auto it = timed_runs.find(run_id);
        if (it == timed_runs.end()) continue;  // its handler returned in time
        TimedRun& run = it->second;
        if (run.is_timed_out) {
            spdlog::warn(
                "task {} timed out {} ago and its handler still runs: it ignores cancellation "
                "and keeps a handler thread busy until it returns",
                run.task_id, format_seconds(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 ExecutionEngine::kCancelHonourWait)));
            continue;
        }
        run.is_timed_out = true;
        run.context->request_cancel();
        deadlines.emplace(now + ExecutionEngine::kCancelHonourWait, run_id);
        TaskOutcome outcome;
        outcome.task_id = run.task_id;
        outcome.state = TaskState::failure;
        outcome.error = "timed out after " + format_seconds(run.limit);
        outcome.started_at = run.started_at;
        outcome.finished_at = Clock::now();
        ++undelivered;  // this delivery; the handler's return ends the other count
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

void ExecutionEngine::Impl::deliver(TaskOutcome&& outcome) {
    try {
        on_done(std::move(outcome));
    } catch (const std::exception& e) {
        spdlog::error("completion sink threw for a task: {}", e.what());
    } catch (...) {
        spdlog::error("completion sink threw a non-standard exception");
    }
    std::lock_guard<std::mutex> lock(mutex);
    --undelivered;
    if (undelivered == 0) idle.notify_all();
}

void ExecutionEngine::Impl::watchdog_main() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!is_stopping) {
        if (deadlines.empty()) {
            deadlines_changed.wait(lock);
            continue;
        }
        const auto now = SteadyClock::now();
        if (now < deadlines.begin()->first) {
            deadlines_changed.wait_until(lock, deadlines.begin()->first);
            continue;
        }
        auto outcomes = expire_runs(now);
        if (outcomes.empty()) continue;
        lock.unlock();
        for (auto& outcome : outcomes) {
            spdlog::warn("task {} {}; its cancellation flag is raised", outcome.task_id,
                         outcome.error);
            deliver(std::move(outcome));
        }
        lock.lock();
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
    const bool is_timed_out = forget_run(&context, job.run_id);

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
        if (is_timed_out) {
            // The watchdog delivered this run's outcome; this one is late.
            spdlog::info("task {} returned {} after it timed out; its outcome is discarded",
                         outcome.task_id, to_string(outcome.state));
            --undelivered;
            if (undelivered == 0) idle.notify_all();
            return;
        }
    }
    deliver(std::move(outcome));
}

ExecutionEngine::ExecutionEngine(const TaskRegistry& registry, std::size_t concurrency,
                                 CompletionSink on_done)
    : impl_(std::make_unique<Impl>(registry, concurrency, std::move(on_done))) {
    impl_->threads.reserve(impl_->concurrency);
    for (std::size_t i = 0; i < impl_->concurrency; ++i) {
        impl_->threads.emplace_back([impl = impl_.get()] { impl->thread_main(); });
    }
    impl_->watchdog = std::thread([impl = impl_.get()] { impl->watchdog_main(); });
}

ExecutionEngine::~ExecutionEngine() {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->is_stopping = true;
        for (auto& [task_id, context] : impl_->contexts) context->request_cancel();
    }
    impl_->work_ready.notify_all();
    impl_->deadlines_changed.notify_all();
    impl_->watchdog.join();
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
    const auto limit = effective_timeout(task, impl_->registry);
    bool is_deadline_first = false;
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
        std::uint64_t run_id = 0;
        if (limit.count() > 0) {
            run_id = ++impl_->last_run_id;
            impl_->timed_runs.emplace(
                run_id, TimedRun{task.task_id, Clock::now(), limit, context.get()});
            auto at = impl_->deadlines.emplace(SteadyClock::now() + limit, run_id);
            is_deadline_first = at == impl_->deadlines.begin();
        }
        impl_->handoff.push_back(Job{std::move(task), std::move(context), run_id});
    }
    impl_->work_ready.notify_one();
    if (is_deadline_first) impl_->deadlines_changed.notify_one();
}

std::chrono::milliseconds effective_timeout(const TaskAssignment& task,
                                            const TaskRegistry& registry) {
    if (task.timeout.count() > 0) return task.timeout;
    if (const RegisteredTask* entry = registry.find(task.task_name);
        entry != nullptr && entry->default_timeout_ms > 0) {
        return std::chrono::milliseconds(entry->default_timeout_ms);
    }
    return task.fallback_timeout;
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
    record.retryable = outcome.retryable;
    record.scheduled_for = Timestamp{};
    if (outcome.started_at != Timestamp{}) record.started_at = outcome.started_at;
    record.finished_at = outcome.finished_at != Timestamp{} ? outcome.finished_at : Clock::now();
}

}  // namespace fastqueue

// execution_engine_test.cpp -- ExecutionEngine as its owners rely on it:
// outcomes and their classification, slots, concurrency, cancellation,
// progress, wait_idle and shutdown.
//
// Handlers are registered straight into a TaskRegistry and talk to the
// fq_task_context members directly, so no plugin is loaded. Every wait is a
// condition-variable wait or a poll with a deadline; a broken engine fails a
// test instead of hanging it.
#include "execution/execution_engine.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "outcome_collector.hpp"
#include "plugins/task_context.hpp"
#include "plugins/task_registry.hpp"

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

constexpr auto kDeadline = 10s;  // far beyond any healthy wait here

// Polls condition every millisecond until it holds or timeout passes;
// returns whether it held.
template <typename Condition>
bool poll_until(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

// A one-way signal between threads: set once, waited on with a deadline.
class Flag {
public:
    void set() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            is_set_ = true;
        }
        changed_.notify_all();
    }
    bool wait(std::chrono::milliseconds timeout = kDeadline) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return is_set_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool is_set_ = false;  // guarded by mutex_
};

using Outcomes = testing::OutcomeCollector;

// What the blocking handlers share with the test body through user_data.
struct Probe {
    Flag started;
    Flag release;
    const std::uint8_t* input_seen = nullptr;  // written by the handler before started.set()
};

TaskAssignment assignment(std::string task_id, std::string task_name, std::string_view payload) {
    return TaskAssignment{std::move(task_id), std::move(task_name),
                          zmq::message_t(payload.data(), payload.size())};
}

void add_task(TaskRegistry& registry, std::string name, fq_task_handler handler,
              void* user_data = nullptr) {
    RegisteredTask task;
    task.name = std::move(name);
    task.plugin_name = "engine-test";
    task.handler = handler;
    task.user_data = user_data;
    REQUIRE(registry.add(std::move(task)));
}

int echo(fq_task_context* ctx, const std::uint8_t* input, std::size_t size, void*) {
    ctx->set_result(input, size);
    return FQ_OK;
}

int no_result(fq_task_context*, const std::uint8_t*, std::size_t, void*) { return FQ_OK; }

int throws_runtime_error(fq_task_context*, const std::uint8_t*, std::size_t, void*) {
    throw std::runtime_error("disk on fire");
}

int throws_int(fq_task_context*, const std::uint8_t*, std::size_t, void*) { throw 42; }

int fails_with_message(fq_task_context* ctx, const std::uint8_t*, std::size_t, void*) {
    ctx->set_error("bad input: x must be a number");
    return FQ_ERROR;
}

int fails_silently(fq_task_context*, const std::uint8_t*, std::size_t, void*) {
    return FQ_ERROR_STATE;
}

// Records its input pointer, says it started, then waits for the test to
// release it and echoes its input.
int blocks_until_released(fq_task_context* ctx, const std::uint8_t* input, std::size_t size,
                          void* user_data) {
    auto* probe = static_cast<Probe*>(user_data);
    probe->input_seen = input;
    probe->started.set();
    if (!probe->release.wait()) {
        ctx->set_error("test deadline: never released");
        return FQ_ERROR;
    }
    ctx->set_result(input, size);
    return FQ_OK;
}

// Says it started, then polls its cancellation flag as a long handler
// should, and returns FQ_ERROR without a message once it is raised.
int loops_until_cancelled(fq_task_context* ctx, const std::uint8_t*, std::size_t, void* user_data) {
    static_cast<Probe*>(user_data)->started.set();
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!ctx->is_cancelled()) {
        if (std::chrono::steady_clock::now() > deadline) {
            ctx->set_error("test deadline: never cancelled");
            return FQ_ERROR;
        }
        std::this_thread::sleep_for(1ms);
    }
    return FQ_ERROR;
}

int loops_then_explains_cancel(fq_task_context* ctx, const std::uint8_t* input, std::size_t size,
                               void* user_data) {
    const int status = loops_until_cancelled(ctx, input, size, user_data);
    if (ctx->is_cancelled()) ctx->set_error("stopped at step 3 of 10");
    return status;
}

// Finishes its work despite the cancel: sets a result and returns FQ_OK.
int finishes_after_cancel(fq_task_context* ctx, const std::uint8_t* input, std::size_t size,
                          void* user_data) {
    loops_until_cancelled(ctx, input, size, user_data);
    const std::string result = "\"done anyway\"";
    ctx->set_result(reinterpret_cast<const std::uint8_t*>(result.data()), result.size());
    return FQ_OK;
}

// Stops on cancel but returns FQ_OK without a result.
int returns_ok_after_cancel(fq_task_context* ctx, const std::uint8_t* input, std::size_t size,
                            void* user_data) {
    loops_until_cancelled(ctx, input, size, user_data);
    return FQ_OK;
}

int reports_half_then_blocks(fq_task_context* ctx, const std::uint8_t* input, std::size_t size,
                             void* user_data) {
    ctx->report_progress(0.5, "halfway");
    return blocks_until_released(ctx, input, size, user_data);
}

// Waits until every one of the concurrent tasks has arrived, so it succeeds
// only when all of them run at the same time.
struct Rendezvous {
    std::mutex mutex;
    std::condition_variable arrived_changed;
    std::size_t arrived = 0;  // guarded by mutex
    std::size_t expected = 0;
};

int meets_the_others(fq_task_context* ctx, const std::uint8_t*, std::size_t, void* user_data) {
    auto* rendezvous = static_cast<Rendezvous*>(user_data);
    std::unique_lock<std::mutex> lock(rendezvous->mutex);
    ++rendezvous->arrived;
    rendezvous->arrived_changed.notify_all();
    const bool is_all_here = rendezvous->arrived_changed.wait_for(
        lock, kDeadline, [&] { return rendezvous->arrived >= rendezvous->expected; });
    if (!is_all_here) {
        ctx->set_error("not all tasks ran at once");
        return FQ_ERROR;
    }
    return FQ_OK;
}

}  // namespace

TEST_CASE("ExecutionEngine: runs a task and delivers success with its result and timings") {
    TaskRegistry registry;
    add_task(registry, "echo", echo);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 2, outcomes.sink());

    const auto before = Clock::now();
    engine.start(assignment("t-1", "echo", R"({"args": [1, 2]})"));
    const TaskOutcome outcome = outcomes.of("t-1");

    CHECK(outcome.state == TaskState::success);
    CHECK(outcome.result == R"({"args": [1, 2]})");
    CHECK(outcome.error.empty());
    CHECK(outcome.started_at >= before);
    CHECK(outcome.finished_at >= outcome.started_at);
    CHECK(outcome.finished_at <= Clock::now());
}

TEST_CASE("ExecutionEngine: a handler that sets no result succeeds with null") {
    TaskRegistry registry;
    add_task(registry, "quiet", no_result);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(assignment("t-1", "quiet", ""));
    const TaskOutcome outcome = outcomes.of("t-1");
    CHECK(outcome.state == TaskState::success);
    CHECK(outcome.result == "null");
}

TEST_CASE("ExecutionEngine: an unknown task name fails with \"unknown task 'NAME'\"") {
    TaskRegistry registry;
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(assignment("t-1", "no_such_task", "{}"));
    const TaskOutcome outcome = outcomes.of("t-1");
    CHECK(outcome.state == TaskState::failure);
    CHECK(outcome.error == "unknown task 'no_such_task'");
    CHECK(outcome.result.empty());
}

TEST_CASE("ExecutionEngine: a throwing handler fails with its message and the next task runs") {
    TaskRegistry registry;
    add_task(registry, "throws", throws_runtime_error);
    add_task(registry, "throws_int", throws_int);
    add_task(registry, "echo", echo);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(assignment("t-1", "throws", "{}"));
    const TaskOutcome thrown = outcomes.of("t-1");
    CHECK(thrown.state == TaskState::failure);
    CHECK(thrown.error == "disk on fire");

    engine.start(assignment("t-2", "throws_int", "{}"));
    const TaskOutcome thrown_int = outcomes.of("t-2");
    CHECK(thrown_int.state == TaskState::failure);
    CHECK(thrown_int.error == "handler threw a non-standard exception");

    // The one handler thread survived both and runs the next task normally.
    engine.start(assignment("t-3", "echo", "[3]"));
    const TaskOutcome next = outcomes.of("t-3");
    CHECK(next.state == TaskState::success);
    CHECK(next.result == "[3]");
}

TEST_CASE("ExecutionEngine: a non-OK return fails with the handler's message or its status") {
    TaskRegistry registry;
    add_task(registry, "explains", fails_with_message);
    add_task(registry, "silent", fails_silently);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 2, outcomes.sink());

    engine.start(assignment("t-1", "explains", "{}"));
    engine.start(assignment("t-2", "silent", "{}"));
    const TaskOutcome explained = outcomes.of("t-1");
    const TaskOutcome silent = outcomes.of("t-2");
    CHECK(explained.state == TaskState::failure);
    CHECK(explained.error == "bad input: x must be a number");
    CHECK(silent.state == TaskState::failure);
    CHECK(silent.error == "handler returned status 4");
}

TEST_CASE("ExecutionEngine: the handler reads the payload in place, without a copy") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "block", blocks_until_released, &probe);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    // Large enough that zmq keeps it on the heap, where a move keeps its address.
    TaskAssignment task = assignment("t-1", "block", std::string(4096, 'x'));
    const auto* payload_bytes = static_cast<const std::uint8_t*>(task.payload.data());
    engine.start(std::move(task));
    REQUIRE(probe.started.wait());
    CHECK(probe.input_seen == payload_bytes);
    probe.release.set();
    CHECK(outcomes.of("t-1").result == std::string(4096, 'x'));
}

TEST_CASE("ExecutionEngine: free_slots falls when a task starts and is back by its outcome") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "block", blocks_until_released, &probe);
    Outcomes outcomes;
    std::atomic<std::size_t> free_slots_seen_by_sink{0};
    ExecutionEngine* engine_for_sink = nullptr;
    ExecutionEngine engine(registry, 2, [&](TaskOutcome&& outcome) {
        free_slots_seen_by_sink = engine_for_sink->free_slots();
        outcomes.sink()(std::move(outcome));
    });
    engine_for_sink = &engine;

    CHECK(engine.concurrency() == 2);
    CHECK(engine.free_slots() == 2);
    CHECK(engine.running() == 0);

    engine.start(assignment("t-1", "block", "1"));
    CHECK(engine.free_slots() == 1);
    CHECK(engine.running() == 1);
    REQUIRE(probe.started.wait());
    CHECK(engine.free_slots() == 1);

    probe.release.set();
    REQUIRE(outcomes.wait_for(1));
    // The owner, woken by the sink, must already see the slot free.
    CHECK(free_slots_seen_by_sink == 2);
    CHECK(engine.free_slots() == 2);
    CHECK(engine.wait_idle(kDeadline) == 0);
    CHECK(engine.running() == 0);
}

TEST_CASE("ExecutionEngine: a task counts as running until its completion sink returns") {
    // An owner that drains on running() == 0 must not lose the last outcome.
    TaskRegistry registry;
    add_task(registry, "quiet", no_result);
    Flag sink_entered;
    Flag sink_release;
    ExecutionEngine engine(registry, 1, [&](TaskOutcome&&) {
        sink_entered.set();
        sink_release.wait();
    });

    engine.start(assignment("t-1", "quiet", ""));
    REQUIRE(sink_entered.wait());
    CHECK(engine.free_slots() == 1);
    CHECK(engine.running() == 1);
    CHECK(engine.wait_idle(20ms) == 1);

    sink_release.set();
    CHECK(engine.wait_idle(kDeadline) == 0);
    CHECK(engine.running() == 0);
}

TEST_CASE("ExecutionEngine: start without a free slot is a logic error and changes nothing") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "block", blocks_until_released, &probe);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(assignment("t-1", "block", "1"));
    CHECK(engine.free_slots() == 0);
    CHECK_THROWS_AS(engine.start(assignment("t-2", "block", "2")), std::logic_error);
    CHECK(engine.running() == 1);
    CHECK_FALSE(engine.cancel("t-2"));

    probe.release.set();
    REQUIRE(outcomes.wait_for(1));
    CHECK(engine.wait_idle(kDeadline) == 0);
    CHECK(outcomes.count() == 1);
}

TEST_CASE("ExecutionEngine: with concurrency N, N tasks run at the same time") {
    constexpr std::size_t kConcurrency = 4;
    TaskRegistry registry;
    Rendezvous rendezvous;
    rendezvous.expected = kConcurrency;
    add_task(registry, "meet", meets_the_others, &rendezvous);
    Outcomes outcomes;
    ExecutionEngine engine(registry, kConcurrency, outcomes.sink());

    for (std::size_t i = 0; i < kConcurrency; ++i) {
        engine.start(assignment("t-" + std::to_string(i), "meet", "{}"));
    }
    REQUIRE(outcomes.wait_for(kConcurrency));
    for (std::size_t i = 0; i < kConcurrency; ++i) {
        const TaskOutcome outcome = outcomes.of("t-" + std::to_string(i));
        CHECK_MESSAGE(outcome.state == TaskState::success, outcome.error);
    }
}

TEST_CASE("ExecutionEngine: cancelling a running task that honours it ends as cancelled") {
    TaskRegistry registry;
    Probe plain;
    Probe explains;
    add_task(registry, "loop", loops_until_cancelled, &plain);
    add_task(registry, "loop_explains", loops_then_explains_cancel, &explains);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 2, outcomes.sink());

    engine.start(assignment("t-1", "loop", "{}"));
    engine.start(assignment("t-2", "loop_explains", "{}"));
    REQUIRE(plain.started.wait());
    REQUIRE(explains.started.wait());

    CHECK(engine.cancel("t-1"));
    CHECK(engine.cancel("t-2"));
    const TaskOutcome cancelled = outcomes.of("t-1");
    const TaskOutcome explained = outcomes.of("t-2");
    CHECK(cancelled.state == TaskState::cancelled);
    CHECK(cancelled.error == "cancelled");
    CHECK(explained.state == TaskState::cancelled);
    CHECK(explained.error == "stopped at step 3 of 10");

    // Finished tasks are no longer running here.
    CHECK_FALSE(engine.cancel("t-1"));
    CHECK_FALSE(engine.cancel("never-started"));
}

TEST_CASE("ExecutionEngine: a cancelled handler that still sets a result and returns OK succeeds") {
    TaskRegistry registry;
    Probe finisher;
    Probe quitter;
    add_task(registry, "finish", finishes_after_cancel, &finisher);
    add_task(registry, "quit_ok", returns_ok_after_cancel, &quitter);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 2, outcomes.sink());

    engine.start(assignment("t-1", "finish", "{}"));
    engine.start(assignment("t-2", "quit_ok", "{}"));
    REQUIRE(finisher.started.wait());
    REQUIRE(quitter.started.wait());
    engine.cancel_all();

    const TaskOutcome finished = outcomes.of("t-1");
    CHECK(finished.state == TaskState::success);
    CHECK(finished.result == "\"done anyway\"");
    // Returning OK with nothing after a cancel means it stopped, not finished.
    const TaskOutcome quit = outcomes.of("t-2");
    CHECK(quit.state == TaskState::cancelled);
    CHECK(quit.error == "cancelled");
}

TEST_CASE("ExecutionEngine: progress reports the running task's last fraction") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "half", reports_half_then_blocks, &probe);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    CHECK_FALSE(engine.inspect("t-1").has_value());
    engine.start(assignment("t-1", "half", "{}"));
    REQUIRE(probe.started.wait());
    const std::optional<RunView> view = engine.inspect("t-1");
    REQUIRE(view.has_value());
    CHECK(view->has_started);
    REQUIRE(view->progress.has_value());
    CHECK(*view->progress == doctest::Approx(0.5));

    probe.release.set();
    REQUIRE(outcomes.wait_for(1));
    CHECK_FALSE(engine.inspect("t-1").has_value());
}

namespace {

TaskAssignment assignment_at(std::string task_id, std::string task_name, Priority priority) {
    TaskAssignment task = assignment(std::move(task_id), std::move(task_name), "{}");
    task.priority = priority;
    return task;
}

// Counts its runs; for tasks that must never run.
int counts_runs(fq_task_context*, const std::uint8_t*, std::size_t, void* user_data) {
    ++*static_cast<std::atomic<int>*>(user_data);
    return FQ_OK;
}

}  // namespace

TEST_CASE("ExecutionEngine: a window's waiting tasks run by priority, oldest first within one") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "block", blocks_until_released, &probe);
    add_task(registry, "echo", echo);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink(), 4);
    CHECK(engine.free_slots() == 5);

    engine.start(assignment("busy", "block", "{}"));
    REQUIRE(probe.started.wait());
    engine.start(assignment_at("low", "echo", Priority::low));
    engine.start(assignment_at("normal-1", "echo", Priority::normal));
    engine.start(assignment_at("critical", "echo", Priority::critical));
    engine.start(assignment_at("normal-2", "echo", Priority::normal));
    CHECK(engine.free_slots() == 0);
    const auto waiting = engine.inspect("critical");
    REQUIRE(waiting.has_value());
    CHECK_FALSE(waiting->has_started);
    CHECK(waiting->started_at == Timestamp{});

    probe.release.set();
    REQUIRE(outcomes.wait_for(5));
    CHECK(outcomes.order() ==
          std::vector<std::string>{"busy", "critical", "normal-1", "normal-2", "low"});
    CHECK(outcomes.of("critical").state == TaskState::success);
    CHECK(outcomes.of("critical").started_at != Timestamp{});
    CHECK(engine.free_slots() == 5);
}

namespace {

// One handler thread held by task "busy" until probe.release, a window of
// four, and task "count", which counts its runs.
struct BusyEngine {
    BusyEngine() {
        add_task(registry, "block", blocks_until_released, &probe);
        add_task(registry, "count", counts_runs, &runs);
        engine.start(assignment("busy", "block", "{}"));
        REQUIRE(probe.started.wait());
    }
    TaskRegistry registry;
    Probe probe;
    std::atomic<int> runs{0};
    Outcomes outcomes;
    ExecutionEngine engine{registry, 1, outcomes.sink(), 4};
};

}  // namespace

TEST_CASE_FIXTURE(BusyEngine, "ExecutionEngine: waiting tasks can be taken back and never run") {
    engine.start(assignment_at("high", "count", Priority::high));
    engine.start(assignment_at("low-1", "count", Priority::low));
    engine.start(assignment_at("low-2", "count", Priority::low));
    engine.start(assignment_at("normal", "count", Priority::normal));
    CHECK(engine.free_slots() == 0);

    SUBCASE("reclaim_waiting_below takes the newest of the least urgent level only") {
        auto reclaimed = engine.reclaim_waiting_below(Priority::high);
        REQUIRE(reclaimed.has_value());
        CHECK(reclaimed->task_id == "low-2");
        CHECK(reclaimed->priority == Priority::low);
        CHECK(std::string_view(static_cast<const char*>(reclaimed->payload.data()),
                               reclaimed->payload.size()) == "{}");
        CHECK(engine.free_slots() == 1);
        CHECK_FALSE(engine.inspect("low-2").has_value());
        // Nothing waits below low, and no task is less urgent than critical
        // except those: a high task is not taken for another high one.
        CHECK_FALSE(engine.reclaim_waiting_below(Priority::low).has_value());
        CHECK(engine.reclaim_waiting_below(Priority::critical)->task_id == "low-1");
        CHECK(engine.reclaim_waiting_below(Priority::high)->task_id == "normal");
        CHECK_FALSE(engine.reclaim_waiting_below(Priority::high).has_value());
        probe.release.set();
        REQUIRE(outcomes.wait_for(2));
        CHECK(runs == 1);  // high only
    }
    SUBCASE("withdraw_waiting takes one by id; a running task is not withdrawn") {
        CHECK_FALSE(engine.withdraw_waiting("busy").has_value());
        CHECK(engine.withdraw_waiting("normal")->task_id == "normal");
        CHECK_FALSE(engine.withdraw_waiting("normal").has_value());
        auto rest = engine.take_all_waiting();
        REQUIRE(rest.size() == 3);
        CHECK(rest[0].task_id == "high");
        CHECK(rest[1].task_id == "low-1");
        CHECK(rest[2].task_id == "low-2");
        CHECK(engine.free_slots() == 4);
        probe.release.set();
        REQUIRE(outcomes.wait_for(1));
        CHECK(engine.wait_idle(kDeadline) == 0);
        CHECK(runs == 0);
    }
}

TEST_CASE_FIXTURE(
    BusyEngine, "ExecutionEngine: a task cancelled while it waits ends cancelled without running") {
    engine.start(assignment("waiting", "count", "{}"));

    CHECK(engine.cancel("waiting"));
    probe.release.set();
    const TaskOutcome cancelled = outcomes.of("waiting");
    CHECK(cancelled.state == TaskState::cancelled);
    CHECK(cancelled.error == kCancelledBeforeStart);
    CHECK(cancelled.started_at == Timestamp{});
    CHECK(runs == 0);
}

TEST_CASE_FIXTURE(
    BusyEngine, "ExecutionEngine: a waiting task's run-time limit starts when a thread takes it") {
    TaskAssignment limited = assignment("limited", "count", "{}");
    limited.timeout = 100ms;
    engine.start(std::move(limited));
    // Waiting longer than its limit must not count against it.
    std::this_thread::sleep_for(300ms);
    probe.release.set();
    const TaskOutcome outcome = outcomes.of("limited");
    CHECK(outcome.state == TaskState::success);
    CHECK(runs == 1);
}

TEST_CASE("ExecutionEngine: tasks started in a batch all run, woken together when it ends") {
    // Rendezvous tasks succeed only when all of them run at once, so each
    // needs a thread of its own: the batch's end must wake every one needed.
    TaskRegistry registry;
    Rendezvous rendezvous;
    add_task(registry, "meet", meets_the_others, &rendezvous);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 3, outcomes.sink(), 8);

    SUBCASE("fewer tasks than threads: one wake per task") { rendezvous.expected = 2; }
    SUBCASE("as many tasks as threads: every thread woken") { rendezvous.expected = 3; }
    // Every thread parked in its wait first: a thread still starting up would
    // take the tasks without being woken, and the test would prove nothing.
    REQUIRE(poll_until([&] { return engine.idle_threads() == 3; }, kDeadline));
    {
        ExecutionEngine::StartBatch batch(engine);
        for (std::size_t i = 0; i < rendezvous.expected; ++i) {
            const std::string task_id = "meet-" + std::to_string(i);
            engine.start(assignment(task_id, "meet", "{}"));
            CHECK(engine.inspect(task_id).has_value());
        }
        // Nothing else runs: the threads wait for these tasks' wake-up.
        CHECK(engine.free_slots() == 11 - rendezvous.expected);
    }
    REQUIRE(outcomes.wait_for(rendezvous.expected));
    for (std::size_t i = 0; i < rendezvous.expected; ++i) {
        CHECK(outcomes.of("meet-" + std::to_string(i)).state == TaskState::success);
    }
    CHECK(engine.wait_idle(kDeadline) == 0);
    CHECK(engine.free_slots() == 11);
}

TEST_CASE("ExecutionEngine: a batch of more tasks than threads runs every task once") {
    TaskRegistry registry;
    std::atomic<int> runs{0};
    add_task(registry, "count", counts_runs, &runs);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 2, outcomes.sink(), 30);
    {
        ExecutionEngine::StartBatch batch(engine);
        // Threads still starting up may take some already (free_slots may grow).
        for (int i = 0; i < 32; ++i)
            engine.start(assignment("t-" + std::to_string(i), "count", ""));
    }
    REQUIRE(outcomes.wait_for(32));
    CHECK(engine.wait_idle(kDeadline) == 0);
    CHECK(runs == 32);
    CHECK(outcomes.count() == 32);
    // The engine is usable with and without batches afterwards.
    engine.start(assignment("after", "count", ""));
    CHECK(outcomes.of("after").state == TaskState::success);
    { ExecutionEngine::StartBatch empty(engine); }
}

TEST_CASE("ExecutionEngine: a second batch while one is open is a logic error") {
    TaskRegistry registry;
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());
    ExecutionEngine::StartBatch batch(engine);
    CHECK_THROWS_AS(ExecutionEngine::StartBatch{engine}, std::logic_error);
}

TEST_CASE("ExecutionEngine: wait_idle times out while a task runs and returns 0 once delivered") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "block", blocks_until_released, &probe);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 2, outcomes.sink());

    CHECK(engine.wait_idle(0ms) == 0);
    engine.start(assignment("t-1", "block", "1"));
    REQUIRE(probe.started.wait());
    CHECK(engine.wait_idle(20ms) == 1);

    probe.release.set();
    CHECK(engine.wait_idle(kDeadline) == 0);
    // Idle means every outcome was delivered, not only that handlers returned.
    CHECK(outcomes.count() == 1);
}

TEST_CASE("ExecutionEngine: destruction cancels a looping handler, delivers its outcome, joins") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "loop", loops_until_cancelled, &probe);
    Outcomes outcomes;
    const auto began = std::chrono::steady_clock::now();
    {
        ExecutionEngine engine(registry, 3, outcomes.sink());
        engine.start(assignment("t-1", "loop", "{}"));
        REQUIRE(probe.started.wait());
    }
    // The handler stopped because of the cancel, not its own test deadline.
    CHECK(std::chrono::steady_clock::now() - began < kDeadline);
    REQUIRE(outcomes.count() == 1);
    const TaskOutcome outcome = outcomes.of("t-1");
    CHECK(outcome.state == TaskState::cancelled);
    CHECK(outcome.error == "cancelled");
}

namespace {

int fails_retryably(fq_task_context* ctx, const std::uint8_t*, std::size_t, void*) {
    ctx->set_error("database busy");
    return FQ_ERROR_RETRYABLE;
}

// Ignores its cancellation flag: blocks until the test releases it, then
// sets a result and returns FQ_OK.
int ignores_cancel_until_released(fq_task_context* ctx, const std::uint8_t* input, std::size_t size,
                                  void* user_data) {
    return blocks_until_released(ctx, input, size, user_data);
}

TaskAssignment limited(std::string task_id, std::string task_name,
                       std::chrono::milliseconds timeout,
                       std::chrono::milliseconds fallback = 0ms) {
    TaskAssignment task = assignment(std::move(task_id), std::move(task_name), "{}");
    task.timeout = timeout;
    task.fallback_timeout = fallback;
    return task;
}

}  // namespace

TEST_CASE("ExecutionEngine: FQ_ERROR_RETRYABLE is a failure marked retryable; others are not") {
    TaskRegistry registry;
    add_task(registry, "retryable", fails_retryably);
    add_task(registry, "plain", fails_with_message);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(assignment("t-1", "retryable", "{}"));
    const TaskOutcome retryable = outcomes.of("t-1");
    CHECK(retryable.state == TaskState::failure);
    CHECK(retryable.error == "database busy");
    CHECK(retryable.retryable);

    engine.start(assignment("t-2", "plain", "{}"));
    const TaskOutcome plain = outcomes.of("t-2");
    CHECK(plain.state == TaskState::failure);
    CHECK_FALSE(plain.retryable);
}

TEST_CASE("ExecutionEngine: a run past its timeout fails as timed out and its flag is raised") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "loop", loops_until_cancelled, &probe);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(limited("t-1", "loop", 150ms));
    REQUIRE(probe.started.wait());
    const TaskOutcome outcome = outcomes.of("t-1");
    CHECK(outcome.state == TaskState::failure);
    CHECK(outcome.error == "timed out after 0.15 s");
    CHECK_FALSE(outcome.retryable);
    CHECK(outcome.finished_at - outcome.started_at >= 150ms);

    // The handler honoured the raised flag and returned: its slot is free,
    // and its own (cancelled) outcome was discarded, not delivered twice.
    CHECK(engine.wait_idle(kDeadline) == 0);
    CHECK(engine.free_slots() == 1);
    CHECK(outcomes.count() == 1);
}

TEST_CASE(
    "ExecutionEngine: a timed-out handler that ignores cancellation keeps its slot until it "
    "returns") {
    TaskRegistry registry;
    Probe probe;
    add_task(registry, "stubborn", ignores_cancel_until_released, &probe);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(limited("t-1", "stubborn", 100ms));
    REQUIRE(probe.started.wait());
    const TaskOutcome outcome = outcomes.of("t-1");
    CHECK(outcome.error == "timed out after 0.1 s");
    // Still running: the thread is not free, and the task still counts
    // (once the timed-out outcome's sink call has returned, only the handler).
    CHECK(engine.free_slots() == 0);
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (engine.running() != 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    CHECK(engine.running() == 1);

    probe.release.set();  // it now sets a result and returns FQ_OK, too late
    CHECK(engine.wait_idle(kDeadline) == 0);
    CHECK(engine.free_slots() == 1);
    CHECK(outcomes.count() == 1);
    CHECK(outcomes.of("t-1").state == TaskState::failure);
}

TEST_CASE("ExecutionEngine: a run that ends in time is not touched by its timeout") {
    TaskRegistry registry;
    add_task(registry, "echo", echo);
    Outcomes outcomes;
    ExecutionEngine engine(registry, 1, outcomes.sink());

    engine.start(limited("t-1", "echo", 200ms));
    CHECK(outcomes.of("t-1").state == TaskState::success);
    std::this_thread::sleep_for(300ms);  // past the deadline: nothing more arrives
    CHECK(outcomes.count() == 1);
}

TEST_CASE("effective_timeout: the submission's, else the plugin's, else the fallback") {
    TaskRegistry registry;
    RegisteredTask with_default;
    with_default.name = "with_default";
    with_default.handler = echo;
    with_default.default_timeout_ms = 700;
    REQUIRE(registry.add(with_default));
    add_task(registry, "without_default", echo);

    CHECK(effective_timeout(limited("a", "with_default", 300ms, 900ms), registry) == 300ms);
    CHECK(effective_timeout(limited("b", "with_default", 0ms, 900ms), registry) == 700ms);
    CHECK(effective_timeout(limited("c", "without_default", 0ms, 900ms), registry) == 900ms);
    CHECK(effective_timeout(limited("d", "without_default", 0ms, 0ms), registry) == 0ms);
    CHECK(effective_timeout(limited("e", "unknown", 0ms, 900ms), registry) == 900ms);
}

TEST_CASE("fail_oversized_result: a success whose result is over the limit becomes a failure") {
    TaskOutcome at_limit;
    at_limit.state = TaskState::success;
    at_limit.result = std::string(100, 'r');
    fail_oversized_result(at_limit, 100);
    CHECK(at_limit.state == TaskState::success);
    CHECK(at_limit.result.size() == 100);

    TaskOutcome over;
    over.state = TaskState::success;
    over.result = std::string(101, 'r');
    fail_oversized_result(over, 100);
    CHECK(over.state == TaskState::failure);
    CHECK(over.error == "result of 101 bytes is larger than --max-payload-bytes (100)");
    CHECK_FALSE(over.retryable);
    CHECK(over.result.empty());

    // A subworker's result, kept in its frame, is measured the same way.
    TaskOutcome shared;
    shared.state = TaskState::success;
    shared.shared_result = SharedBytes::from_string(std::string(5000, 's'));
    fail_oversized_result(shared, 4096);
    CHECK(shared.state == TaskState::failure);
    CHECK(shared.error == "result of 5000 bytes is larger than --max-payload-bytes (4096)");
    CHECK(shared.shared_result.empty());

    // Only successes carry a result to measure.
    TaskOutcome failed;
    failed.state = TaskState::failure;
    failed.error = "handler error";
    fail_oversized_result(failed, 0);
    CHECK(failed.error == "handler error");
}

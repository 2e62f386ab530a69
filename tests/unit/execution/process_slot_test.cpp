// process_slot_test.cpp -- ExecutionEngine in process isolation
// (runtime/execution/process_slot.cpp): tasks of real plugins run in
// executors that are the real `fastqueue` executable, results and progress
// come back intact, a task whose executor dies fails alone and the slot goes
// on with a new executor, and a cancelled task that will not stop has its
// executor killed after the kill grace.
//
// Every wait is a condition-variable wait or a poll with a deadline; the
// deadlines bound how long a broken engine can hold a test, and nothing
// asserts how fast anything happened.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "execution/execution_engine.hpp"
#include "outcome_collector.hpp"
#include "plugins/plugin_set.hpp"

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

constexpr auto kProcessTestDeadline = 30s;  // executors start, run and die well within it

// Polls `condition` every 5 ms until it holds or the deadline passes.
template <typename Condition>
bool poll_with_deadline(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + kProcessTestDeadline;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

std::unique_ptr<PluginSet> load_test_plugins() {
    std::vector<std::string> paths;
    for (const char* name : {"mytasks", "fq_test_crash", "fq_test_lifetime"}) {
        paths.push_back((std::filesystem::path(FASTQUEUE_TEST_MODULES_DIR) /
                         ("lib" + std::string(name) + ".so"))
                            .string());
    }
    return PluginSet::load(paths, {});
}

IsolationOptions process_isolation() {
    IsolationOptions options;
    options.mode = Isolation::process;
    options.command.executable = FASTQUEUE_EXECUTABLE;
    options.command.max_payload_bytes = 4 * 1024 * 1024;
    options.command.log_level = "warn";
    options.command.start_timeout = kProcessTestDeadline;
    options.kill_grace = 200ms;
    return options;
}

TaskAssignment isolated_task(std::string task_id, std::string task_name,
                             const std::string& payload) {
    return TaskAssignment{std::move(task_id), std::move(task_name),
                          zmq::message_t(payload.data(), payload.size())};
}

// An engine of one executor slot running the test plugins.
struct IsolatedEngine {
    std::unique_ptr<PluginSet> plugins = load_test_plugins();
    testing::OutcomeCollector outcomes{kProcessTestDeadline};
    ExecutionEngine engine{plugins->registry(), 1, outcomes.sink(), 0, process_isolation()};

    // Runs mytasks.echo of `text` and checks that it came back intact.
    void check_echo_runs(const std::string& task_id, const std::string& text) {
        REQUIRE(poll_with_deadline([&] { return engine.free_slots() > 0; }));
        engine.start(isolated_task(task_id, "echo", "{\"args\": [\"" + text + "\"]}"));
        const TaskOutcome outcome = outcomes.of(task_id);
        CHECK(outcome.state == TaskState::success);
        CHECK(outcome.error == "");
        CHECK(outcome.result == "\"" + text + "\"");
    }
};

TEST_CASE_FIXTURE(IsolatedEngine, "process isolation: a 1 MiB result comes back byte-exact") {
    CHECK(engine.isolation() == Isolation::process);
    std::string text(1024 * 1024, '\0');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + (i * 7) % 26);
    check_echo_runs("big-echo", text);
    CHECK(engine.task_process_restarts() == 0);
}

TEST_CASE_FIXTURE(IsolatedEngine, "process isolation: a handler's progress shows in inspect()") {
    engine.start(isolated_task("sleeper", "sleep", R"({"args": [20]})"));
    // mytasks.sleep reports its progress every 100 ms.
    std::optional<double> progress;
    const bool has_progress = poll_with_deadline([&] {
        const auto view = engine.inspect("sleeper");
        if (view && view->progress) progress = view->progress;
        return progress.has_value() && *progress > 0.0;
    });
    CHECK(has_progress);
    CHECK(*progress <= 1.0);
    // The sleep honours its cancel, so its executor survives it.
    CHECK(engine.cancel("sleeper"));
    const TaskOutcome outcome = outcomes.of("sleeper");
    CHECK(outcome.state == TaskState::cancelled);
    CHECK(engine.task_process_restarts() == 0);
}

TEST_CASE_FIXTURE(IsolatedEngine,
                  "process isolation: a task whose executor dies fails alone, retryable") {
    engine.start(isolated_task("crasher", "crash", "{}"));
    const TaskOutcome outcome = outcomes.of("crasher");
    CHECK(outcome.state == TaskState::failure);
    CHECK(outcome.error == "task process died: signal 6 (SIGABRT)");
    CHECK(outcome.retryable);
    CHECK(outcome.result.empty());
    CHECK(engine.task_process_restarts() == 1);
    // The slot's next task runs in a new executor.
    check_echo_runs("after-crash", "still here");
    CHECK(engine.task_process_restarts() == 1);
}

TEST_CASE_FIXTURE(IsolatedEngine,
                  "process isolation: a cancelled task that ignores it is killed after the grace") {
    // lifetime.stubborn sleeps its 5 s through any cancel; only a kill ends
    // it sooner, as cancelled (had it run to its end it would succeed).
    engine.start(isolated_task("stubborn", "lifetime.stubborn", R"({"args": [5]})"));
    REQUIRE(poll_with_deadline([&] {
        const auto view = engine.inspect("stubborn");
        return view && view->has_started;
    }));
    CHECK(engine.cancel("stubborn"));
    const TaskOutcome outcome = outcomes.of("stubborn");
    CHECK(outcome.state == TaskState::cancelled);
    CHECK(outcome.error ==
          "cancelled; its task process was killed after it ran on for 0.2 s (--kill-grace) past "
          "the cancel");
    CHECK_FALSE(outcome.retryable);
    CHECK(engine.task_process_restarts() == 1);
    check_echo_runs("after-kill", "next");
}

}  // namespace

// process_slot_test.cpp -- ExecutionEngine in process isolation
// (runtime/execution/process_slot.cpp): tasks of real plugins run in
// executors that are the real `fastqueue` executable, results and progress
// come back intact, a task whose executor dies fails alone and the slot goes
// on with a new executor, and a cancelled task that will not stop has its
// executor killed after the kill grace. The same again with the owner's
// thread reading the answers (IsolationOptions::owner_reads_answers), as the
// roles' I/O threads do.
//
// Every wait is a condition-variable wait or a poll with a deadline; the
// deadlines bound how long a broken engine can hold a test, and nothing
// asserts how fast anything happened.
#include <doctest/doctest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/wakeup.hpp"
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

// Plays a role's I/O thread with owner_reads_answers: starts the tasks it
// is given, polls the engine's answers_fd() and collects the answers, all
// on its own thread.
class OwnerLoop {
public:
    explicit OwnerLoop(ExecutionEngine& engine) : engine_(engine), thread_([this] { run(); }) {}
    ~OwnerLoop() {
        is_stopping_ = true;
        wake_.ring();
        thread_.join();
    }
    void start(TaskAssignment task) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            to_start_.push_back(std::move(task));
        }
        wake_.ring();
    }
    std::thread::id id() const { return thread_.get_id(); }

private:
    void run() {
        while (!is_stopping_) {
            pollfd items[] = {{engine_.answers_fd(), POLLIN, 0}, {wake_.fd(), POLLIN, 0}};
            ::poll(items, 2, 50);
            if ((items[1].revents & POLLIN) != 0) {
                wake_.drain();
                std::vector<TaskAssignment> tasks;
                {
                    std::lock_guard<std::mutex> lock(mutex_);
                    tasks.swap(to_start_);
                }
                for (auto& task : tasks) engine_.start(std::move(task));
            }
            if ((items[0].revents & POLLIN) != 0) engine_.collect_answers();
        }
    }

    ExecutionEngine& engine_;
    Wakeup wake_;
    std::atomic<bool> is_stopping_{false};
    std::mutex mutex_;
    std::vector<TaskAssignment> to_start_;  // guarded by mutex_
    std::thread thread_;                    // last: starts once the rest is made
};

IsolationOptions owner_read_isolation() {
    IsolationOptions options = process_isolation();
    options.owner_reads_answers = true;
    return options;
}

// One executor slot whose answers the owner loop reads; records on which
// thread each outcome was delivered.
struct OwnerReadEngine {
    std::unique_ptr<PluginSet> plugins = load_test_plugins();
    testing::OutcomeCollector outcomes{kProcessTestDeadline};
    std::mutex threads_mutex;
    std::map<std::string, std::thread::id> delivered_on;  // guarded by threads_mutex
    ExecutionEngine engine{plugins->registry(), 1,
                           [this](TaskOutcome&& outcome) {
                               {
                                   std::lock_guard<std::mutex> lock(threads_mutex);
                                   delivered_on[outcome.task_id] = std::this_thread::get_id();
                               }
                               outcomes.sink()(std::move(outcome));
                           },
                           0, owner_read_isolation()};
    OwnerLoop owner{engine};

    std::thread::id delivery_thread(const std::string& task_id) {
        std::lock_guard<std::mutex> lock(threads_mutex);
        return delivered_on.at(task_id);
    }
    // Starts a task once the slot is idle with its executor ready, so that
    // start() hands it straight to the executor.
    void start_on_idle_slot(TaskAssignment task) {
        REQUIRE(poll_with_deadline([&] { return engine.idle_threads() == 1; }));
        owner.start(std::move(task));
    }
};

TEST_CASE_FIXTURE(OwnerReadEngine, "owner answers: a short task's outcome comes on the owner") {
    REQUIRE(engine.answers_fd() >= 0);
    // An answer the owner finds only partly arrived (a busy machine) is the
    // slot thread's to read, by contract; most are the owner's.
    int on_owner = 0;
    for (int i = 0; i < 8; ++i) {
        const std::string id = "task-" + std::to_string(i);
        start_on_idle_slot(isolated_task(id, "echo", R"({"args": ["hello"]})"));
        const TaskOutcome outcome = outcomes.of(id);
        CHECK(outcome.state == TaskState::success);
        CHECK(outcome.result == "\"hello\"");
        CHECK(outcome.started_at != Timestamp{});
        on_owner += delivery_thread(id) == owner.id() ? 1 : 0;
    }
    CHECK(on_owner > 0);
    CHECK(engine.task_process_restarts() == 0);
}

TEST_CASE_FIXTURE(OwnerReadEngine,
                  "owner answers: a result too large to have arrived whole still comes back") {
    // 1 MiB is more than the channel holds at once: the slot's thread reads it.
    std::string text(1024 * 1024, 'x');
    start_on_idle_slot(isolated_task("big", "echo", "{\"args\": [\"" + text + "\"]}"));
    const TaskOutcome outcome = outcomes.of("big");
    CHECK(outcome.state == TaskState::success);
    CHECK(outcome.result == "\"" + text + "\"");
    start_on_idle_slot(isolated_task("small", "echo", R"({"args": [1]})"));
    CHECK(outcomes.of("small").result == "1");
}

TEST_CASE_FIXTURE(OwnerReadEngine, "owner answers: progress shows, and a crash fails alone") {
    start_on_idle_slot(isolated_task("sleeper", "sleep", R"({"args": [20]})"));
    std::optional<double> progress;
    CHECK(poll_with_deadline([&] {
        const auto view = engine.inspect("sleeper");
        if (view && view->progress) progress = view->progress;
        return progress.has_value() && *progress > 0.0;
    }));
    CHECK(engine.cancel("sleeper"));
    CHECK(outcomes.of("sleeper").state == TaskState::cancelled);

    start_on_idle_slot(isolated_task("crasher", "crash", "{}"));
    const TaskOutcome crashed = outcomes.of("crasher");
    CHECK(crashed.state == TaskState::failure);
    CHECK(crashed.error == "task process died: signal 6 (SIGABRT)");
    CHECK(crashed.retryable);
    CHECK(engine.task_process_restarts() == 1);
    start_on_idle_slot(isolated_task("after-crash", "echo", R"({"args": ["on"]})"));
    CHECK(outcomes.of("after-crash").result == "\"on\"");
    CHECK(engine.task_process_restarts() == 1);
}

}  // namespace

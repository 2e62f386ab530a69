// isolation_crash_test.cpp -- process isolation on a control plane alone:
// a task whose task process dies (SIGSEGV, abort(), _exit(3)) fails alone,
// with an error that names how its process died, while the tasks beside it
// succeed on their first attempt; the slot runs its next task in a new task
// process, the restart is logged with the task that caused it, and the
// control plane's children are again exactly its --concurrency executors.
// A crash is a retryable failure: with --max-retries 2 it runs three times.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/crashy_tasks.hpp"
#include "harness/process_table.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kCrashTestSlots = 2;

}  // namespace

TEST_CASE(
    "isolation: a task whose process dies fails alone on a control plane, which starts a new "
    "one") {
    ControlPlaneProcess control_plane({"--concurrency", std::to_string(kCrashTestSlots)}, {},
                                      {"fq_test_crashy"});
    Process& role = control_plane.process();
    // Its children are its executors, one per slot, and nothing else.
    REQUIRE_MESSAGE(wait_for_child_count(role.pid(), kCrashTestSlots, 10s),
                    "children: " << describe_pids(child_pids(role.pid())));
    {
        auto children = child_pids(role.pid());
        auto executors = executor_pids_of(role.pid());
        std::sort(children.begin(), children.end());
        std::sort(executors.begin(), executors.end());
        CHECK(children == executors);
    }

    // Each crash runs while a sleep runs in the other slot.
    INFO("control plane stderr:\n" << role.stderr_text());
    const auto crashes = check_crashes_fail_alone(control_plane, "control-plane");
    for (std::size_t i = 0; i < kCrashingTasks.size(); ++i) {
        // The restart names the task that caused it.
        const std::string restart =
            "task " + crashes[i].task_id + " '" + std::string(kCrashingTasks[i].task_name) +
            "': " + std::string(kCrashingTasks[i].error) + "; starting a new task process";
        CHECK_MESSAGE(contains(role.stderr_text(), restart), "no log line: " << restart);
    }
    CHECK(role.is_running());

    // The slots run tasks again, each in a live child of the control plane.
    Client client(control_plane.client_options());
    std::vector<std::string> pid_ids;
    for (std::size_t i = 0; i < 2 * kCrashTestSlots; ++i) {
        pid_ids.push_back(client.submit("crashy.pid", "{}"));
    }
    const auto pids = wait_for_all_finished(control_plane.client_options(), pid_ids, 30s);
    INFO(describe_unsuccessful(pids));
    for (const auto& record : pids) {
        REQUIRE(record.state == TaskState::success);
        const pid_t pid = static_cast<pid_t>(std::stol(record.result));
        const auto children = child_pids(role.pid());
        CHECK_MESSAGE(std::find(children.begin(), children.end(), pid) != children.end(),
                      "task process " << pid << " is not among " << describe_pids(children));
    }
    // Not one executor more than it had (the dead ones were reaped).
    CHECK_MESSAGE(wait_for_child_count(role.pid(), kCrashTestSlots, 10s),
                  "children: " << describe_pids(child_pids(role.pid())));
    CHECK(contains(role.stderr_text(),
                   "(" + std::to_string(kCrashingTasks.size()) + " restarts so far)"));
}

TEST_CASE("isolation: a task that crashes every time runs 1 + --max-retries times") {
    ControlPlaneProcess control_plane({"--concurrency", "1"}, {}, {"fq_test_crashy"});
    Client client(control_plane.client_options(30s));
    TaskOptions options;
    options.max_retries = 2;
    options.retry_backoff = 100ms;

    const TaskRecord record =
        client.submit_and_wait("crashy.segv", "{}", Priority::normal, options);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    CHECK(record.state == TaskState::failure);
    CHECK(record.error == "task process died: signal 11 (SIGSEGV)");
    CHECK(record.retryable);
    CHECK(record.attempts == 3);

    // A task beside it is untouched.
    const TaskRecord after = client.submit_and_wait("echo", echo_payload("after"));
    CHECK(after.state == TaskState::success);
    CHECK(after.attempts == 1);
}

TEST_CASE(
    "isolation: a task process killed while idle is replaced before the next task, which "
    "succeeds on its first attempt") {
    ControlPlaneProcess control_plane({"--concurrency", "1"}, {}, {"fq_test_crashy"});
    Process& role = control_plane.process();
    Client client(control_plane.client_options(20s));
    // A first task names the executor, which is then ready and idle.
    const TaskRecord first = client.submit_and_wait("crashy.pid", "{}");
    REQUIRE(first.state == TaskState::success);
    const auto idle_executor = static_cast<pid_t>(std::stol(first.result));
    // As the kernel's OOM killer or an operator would.
    REQUIRE(::kill(idle_executor, SIGKILL) == 0);
    CHECK_MESSAGE(poll_until(
                      [&] {
                          return contains(role.stderr_text(),
                                          "ended while idle (signal 9 (SIGKILL))");
                      },
                      10s),
                  "control plane stderr:\n"
                      << role.stderr_text());

    const TaskRecord record = client.submit_and_wait("crashy.pid", "{}");
    INFO("error: " << record.error);
    CHECK(record.state == TaskState::success);
    CHECK(record.attempts == 1);
    CHECK(static_cast<pid_t>(std::stol(record.result)) != idle_executor);
    CHECK(role.is_running());
}

// isolation_runaway_test.cpp -- process isolation against a task that never
// checks for cancellation (fq_test_crashy's crashy.spin, which spins for
// 60 s): past its --task-timeout it ends "timed out after N s" and its task
// process is killed --kill-grace later, and a cancel of it ends it cancelled
// the same way; in both cases the slot (--concurrency 1) then runs the next
// task in a new task process, and the role's children are again one.
#include <doctest/doctest.h>

#include <string>

#include "harness/control_plane_process.hpp"
#include "harness/process_table.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// Every wait for the spin to end is bounded well below its 60 s, so a run
// that ends in time was stopped, not finished.
constexpr auto kRunawayWait = 20s;

// A control plane with one slot and the crashy plugin, and the pid of the
// task process its slot had before the test.
struct RunawayFixture {
    ControlPlaneProcess control_plane{
        {"--concurrency", "1", "--kill-grace", "1"}, {}, {"fq_test_crashy"}};
    Client client{control_plane.client_options(30s)};
    pid_t first_process = task_process_pid();

    // Runs crashy.pid and returns the pid of the task process that ran it.
    pid_t task_process_pid() {
        const TaskRecord record = client.submit_and_wait("crashy.pid", "{}");
        INFO("error: " << record.error);
        REQUIRE(record.state == TaskState::success);
        return static_cast<pid_t>(std::stol(record.result));
    }
};

}  // namespace

TEST_CASE_FIXTURE(
    RunawayFixture,
    "isolation: a task that ignores its --task-timeout is killed, and its slot runs the next "
    "task") {
    TaskOptions options;
    options.task_timeout = 1s;
    const std::string spin = client.submit("crashy.spin", "{}", Priority::normal, options);
    // Queued behind the spin on the one slot.
    const std::string next = client.submit("crashy.pid", "{}");

    const auto spun = wait_for_finished_record(control_plane.client_options(), spin, kRunawayWait);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    REQUIRE(spun);
    CHECK(spun->state == TaskState::failure);
    CHECK(spun->error == "timed out after 1 s");
    CHECK(spun->attempts == 1);

    const auto after = wait_for_finished_record(control_plane.client_options(), next, kRunawayWait);
    REQUIRE(after);
    INFO("error: " << after->error);
    REQUIRE(after->state == TaskState::success);
    CHECK(static_cast<pid_t>(std::stol(after->result)) != first_process);
    CHECK_MESSAGE(wait_for_child_count(control_plane.process().pid(), 1, 10s),
                  "children: " << describe_pids(child_pids(control_plane.process().pid())));
}

TEST_CASE_FIXTURE(RunawayFixture,
                  "isolation: cancelling a task that ignores cancellation kills its process after "
                  "--kill-grace") {
    const std::string spin = client.submit("crashy.spin", "{}");
    REQUIRE(wait_for_state(control_plane.client_options(), spin, TaskState::running, 10s));
    const auto cancel = control_plane.cli({"cancel", "--task-id", spin});
    INFO(cancel.describe());
    CHECK(cancel.exit_code == 0);

    const auto record =
        wait_for_finished_record(control_plane.client_options(), spin, kRunawayWait);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    REQUIRE(record);
    CHECK(record->state == TaskState::cancelled);
    CHECK(record->error ==
          "cancelled; its task process was killed after it ran on for 1 s (--kill-grace) past "
          "the cancel");

    const pid_t next_process = task_process_pid();
    CHECK(next_process != first_process);
    CHECK_MESSAGE(wait_for_child_count(control_plane.process().pid(), 1, 10s),
                  "children: " << describe_pids(child_pids(control_plane.process().pid())));
}

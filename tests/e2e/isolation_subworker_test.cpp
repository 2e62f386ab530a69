// isolation_subworker_test.cpp -- process isolation in a subworker: a task
// whose task process dies there fails alone with the real cause, while the
// tasks running beside it succeed on their first attempt; the subworker
// stays registered and keeps serving, with its children again exactly its
// executors. Whether or not the control plane loads the plugin itself, the
// record says how the task process died, never "unknown task".
#include <doctest/doctest.h>

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

constexpr std::size_t kSubworkerSlots = 2;

// Crashes in the subworker with sleeps beside each, and checks every
// record and that the subworker is still registered, serving, and holding
// exactly its executors.
void check_crashes_fail_alone_in_subworker(ControlPlaneProcess& control_plane,
                                           SubworkerProcess& subworker) {
    Process& role = subworker.process();
    REQUIRE_MESSAGE(wait_for_child_count(role.pid(), kSubworkerSlots, 10s),
                    "children: " << describe_pids(child_pids(role.pid())));

    INFO("subworker stderr:\n" << role.stderr_text());
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    check_crashes_fail_alone(control_plane, subworker.worker_id());

    // Still registered, still running, still serving, and no executor more.
    CHECK(role.is_running());
    const auto status = try_subworker_status(control_plane);
    REQUIRE(status);
    REQUIRE(status->subworkers.count(subworker.worker_id()) == 1);
    CHECK(status->subworkers.at(subworker.worker_id()).is_active);
    Client client(control_plane.client_options());
    const TaskRecord after = client.submit_and_wait("echo", echo_payload("after"));
    CHECK(after.state == TaskState::success);
    CHECK(after.worker_id == subworker.worker_id());
    CHECK_MESSAGE(wait_for_child_count(role.pid(), kSubworkerSlots, 10s),
                  "children: " << describe_pids(child_pids(role.pid())));
    CHECK(control_plane.process().is_running());
}

}  // namespace

TEST_CASE(
    "isolation: a task whose process dies in a subworker fails alone; the subworker keeps "
    "serving") {
    const std::vector<std::string> subworker_flags{"--concurrency",
                                                   std::to_string(kSubworkerSlots)};
    SUBCASE("the control plane loads the plugin too") {
        ControlPlaneProcess control_plane(kFastHeartbeats, {}, {"fq_test_crashy"});
        SubworkerProcess subworker(control_plane, "sw1", subworker_flags, {"fq_test_crashy"});
        REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
        check_crashes_fail_alone_in_subworker(control_plane, subworker);
    }
    SUBCASE("only the subworker loads the plugin") {
        ControlPlaneProcess control_plane(kFastHeartbeats);
        SubworkerProcess subworker(control_plane, "sw1", subworker_flags, {"fq_test_crashy"});
        REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
        check_crashes_fail_alone_in_subworker(control_plane, subworker);
    }
}

TEST_CASE(
    "isolation: a task that keeps crashing in a subworker the control plane cannot run it on "
    "ends with the real cause after its retries") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess subworker(control_plane, "sw1", {"--concurrency", "1"}, {"fq_test_crashy"});
    REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
    Client client(control_plane.client_options(30s));
    TaskOptions options;
    options.max_retries = 2;
    options.retry_backoff = 100ms;

    const TaskRecord record =
        client.submit_and_wait("crashy.abort", "{}", Priority::normal, options);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    CHECK(record.state == TaskState::failure);
    CHECK(record.error == "task process died: signal 6 (SIGABRT)");
    CHECK(record.attempts == 3);
    CHECK(record.worker_id == "sw1");
    CHECK(subworker.process().is_running());
}

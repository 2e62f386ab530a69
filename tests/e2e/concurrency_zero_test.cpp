// concurrency_zero_test.cpp -- where a task waits when no live worker can run
// it: a control plane started with --concurrency 0 runs no task itself, and a
// task that no live subworker offers (nor the control plane's own plugins)
// waits in its queue, without holding up the tasks behind it, until a
// subworker that offers it registers. A task whose subworker was killed is
// never run by a control plane that lacks its plugin (it used to end as
// "unknown task"): it waits for a subworker that offers it.
#include <doctest/doctest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// Control plane flags: no task runs in its process, and lost subworkers are
// noticed within about a second.
std::vector<std::string> runs_no_task_flags() {
    std::vector<std::string> flags{"--concurrency", "0"};
    flags.insert(flags.end(), kFastHeartbeats.begin(), kFastHeartbeats.end());
    return flags;
}

// The record of task_id as the control plane reports it now.
std::optional<TaskRecord> current_record(const ControlPlaneProcess& control_plane,
                                         const std::string& task_id) {
    Client client(control_plane.client_options());
    return client.get(task_id);
}

}  // namespace

TEST_CASE("concurrency 0: a task waits, queued, until a subworker that offers it registers") {
    ControlPlaneProcess control_plane(runs_no_task_flags());
    Client client(control_plane.client_options());

    // Acknowledged, and dispatched in the same turn: with no subworker it waits.
    const std::string waiting = client.submit("echo", echo_payload("later"));
    const auto queued = current_record(control_plane, waiting);
    REQUIRE(queued);
    CHECK(queued->state == TaskState::queued);
    CHECK(queued->attempts == 0);

    // The CLI shows the same.
    const RunResult status = control_plane.cli({"status", "--task-id", waiting});
    INFO(status.describe());
    CHECK(status.exit_code == 0);
    CHECK(status.stdout_text.find("queued") != std::string::npos);

    // A name nobody offers still fails at once.
    const TaskRecord unknown = client.submit_and_wait("no-such-task", "{}");
    CHECK(unknown.state == TaskState::failure);
    CHECK(unknown.error == "unknown task 'no-such-task'");

    SubworkerProcess sw1(control_plane, "sw1");
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    const auto done = wait_for_finished_record(control_plane.client_options(), waiting, 15s);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    REQUIRE(done);
    CHECK(done->state == TaskState::success);
    CHECK(done->worker_id == "sw1");
    CHECK(done->attempts == 1);

    // Every later task goes to the subworker too, never to the control plane.
    const TaskRecord next = client.submit_and_wait("add", R"({"args": [2, 3], "kwargs": {}})");
    CHECK(next.state == TaskState::success);
    CHECK(next.worker_id == "sw1");
}

TEST_CASE(
    "concurrency 0: tasks only an absent subworker offers wait while the others run, then run "
    "when it comes back") {
    ControlPlaneProcess control_plane(runs_no_task_flags());
    Client client(control_plane.client_options());

    // sw1 offers test_ok_echo (the control plane lacks that plugin); once it
    // has left, the name stays known while sw1 is listed as inactive.
    auto sw1 = std::make_unique<SubworkerProcess>(control_plane, "sw1", std::vector<std::string>{},
                                                  std::vector<std::string>{"fq_test_ok"});
    REQUIRE_MESSAGE(sw1->wait_until_registered(), sw1->describe());
    sw1.reset();  // SIGTERM: it deregisters
    REQUIRE(wait_for_subworker_activity(control_plane, "sw1", false, 10s));

    SubworkerProcess sw2(control_plane, "sw2");  // mytasks only
    REQUIRE_MESSAGE(sw2.wait_until_registered(), sw2.describe());

    // Critical tasks nobody live offers, queued ahead of normal ones that sw2
    // can run: they must not hold those up.
    std::vector<std::string> orphans;
    for (int i = 0; i < 3; ++i) {
        orphans.push_back(client.submit("test_ok_echo", "orphan", Priority::critical));
    }
    std::vector<std::string> others;
    for (int i = 0; i < 10; ++i) {
        others.push_back(client.submit("echo", echo_payload("other"), Priority::normal));
    }
    const auto records = wait_for_all_finished(control_plane.client_options(), others, 15s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) {
        CHECK(record.state == TaskState::success);
        CHECK(record.worker_id == "sw2");
    }
    for (const auto& id : orphans) {
        const auto record = current_record(control_plane, id);
        REQUIRE(record);
        CHECK(record->state == TaskState::queued);
    }

    SubworkerProcess sw1_again(control_plane, "sw1", {}, {"fq_test_ok"});
    REQUIRE_MESSAGE(sw1_again.wait_until_registered(), sw1_again.describe());
    const auto ran = wait_for_all_finished(control_plane.client_options(), orphans, 15s);
    INFO(describe_unsuccessful(ran));
    for (const auto& record : ran) {
        CHECK(record.state == TaskState::success);
        CHECK(record.worker_id == "sw1");
        CHECK(record.result == "orphan");
    }
}

TEST_CASE(
    "lost subworker: a task the control plane has no plugin for waits for another subworker, "
    "never \"unknown task\"") {
    // The control plane runs tasks (default concurrency) but loads only
    // mytasks; lifetime.stubborn is offered by the subworkers alone.
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1"}, {"fq_test_lifetime"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());

    Client client(control_plane.client_options());
    const std::string id = client.submit("lifetime.stubborn", sleep_payload(3));
    REQUIRE(wait_for_state(control_plane.client_options(), id, TaskState::running, 10s));
    sw1.process().expect_exit_code(128 + SIGKILL);
    sw1.process().send_signal(SIGKILL);
    REQUIRE(wait_for_subworker_activity(control_plane, "sw1", false, 10s));

    // Dispatched again: nobody live offers it, so it waits.
    const auto waiting = current_record(control_plane, id);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    REQUIRE(waiting);
    CHECK(waiting->state == TaskState::queued);
    CHECK(waiting->error.empty());

    SubworkerProcess sw2(control_plane, "sw2", {"--concurrency", "1"}, {"fq_test_lifetime"});
    REQUIRE_MESSAGE(sw2.wait_until_registered(), sw2.describe());
    const auto done = wait_for_finished_record(control_plane.client_options(), id, 20s);
    REQUIRE(done);
    CHECK(done->state == TaskState::success);
    CHECK(done->worker_id == "sw2");
    CHECK(done->attempts == 2);
    CHECK(control_plane.process().is_running());
}

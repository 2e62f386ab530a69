// subworker_sigterm_test.cpp -- stopping a subworker with SIGTERM. It
// deregisters at once (the control plane stops listing it as active well
// before heartbeat expiry could have noticed), is sent no new task, finishes
// the task it is running within --shutdown-grace (the record ends success,
// naming it) and exits 0.
#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

TEST_CASE(
    "subworker SIGTERM: deregisters at once, takes no new task, finishes its running task and "
    "exits 0") {
    // Slow heartbeats: a silent subworker would be declared inactive only
    // after 3 x 3 s = 9 s, so seeing it go within 4 s shows deregistration.
    ControlPlaneProcess control_plane({"--heartbeat-interval", "3", "--heartbeat-liveness", "3"});
    SubworkerProcess leaving(control_plane, "leaving",
                             {"--concurrency", "1", "--prefetch", "0", "--shutdown-grace", "20"});
    SubworkerProcess staying(control_plane, "staying", {"--concurrency", "1", "--prefetch", "0"});
    REQUIRE_MESSAGE(leaving.wait_until_registered(), leaving.describe());
    REQUIRE_MESSAGE(staying.wait_until_registered(), staying.describe());

    // Two long tasks on two idle one-handler subworkers: one lands on each.
    Client client(control_plane.client_options());
    const std::vector<std::string> long_ids{client.submit("sleep", sleep_payload(2.0)),
                                            client.submit("sleep", sleep_payload(2.0))};
    std::string on_leaving;
    REQUIRE(poll_until(
        [&] {
            for (const auto& task_id : long_ids) {
                const auto record = client.get(task_id);
                if (record && record->state == TaskState::running &&
                    record->worker_id == "leaving") {
                    on_leaving = task_id;
                }
            }
            return !on_leaving.empty();
        },
        10s));

    leaving.process().send_signal(SIGTERM);
    CHECK_MESSAGE(wait_for_subworker_activity(control_plane, "leaving", false, 4s),
                  "the control plane still lists the stopping subworker as active");
    // Still running its task, not gone yet.
    {
        const auto record = client.get(on_leaving);
        REQUIRE(record);
        CHECK(record->state == TaskState::running);
        CHECK(record->worker_id == "leaving");
    }

    std::vector<std::string> after_ids;
    for (int i = 0; i < 4; ++i) after_ids.push_back(client.submit("echo", echo_payload("after")));

    const auto running = wait_for_finished_record(control_plane.client_options(), on_leaving, 20s);
    REQUIRE(running);
    INFO("error: " << running->error);
    CHECK(running->state == TaskState::success);
    CHECK(running->worker_id == "leaving");
    CHECK(running->attempts == 1);

    const auto records = wait_for_all_finished(control_plane.client_options(), after_ids, 20s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) {
        CHECK(record.state == TaskState::success);
        CHECK(record.worker_id != "leaving");
    }

    const auto exit_code = leaving.process().wait_for_exit(20s);
    INFO(leaving.describe());
    REQUIRE(exit_code);
    CHECK(*exit_code == 0);
    CHECK(staying.process().is_running());
}

// subworker_failover_test.cpp -- what the control plane does when a
// subworker is lost with tasks in flight: killed with SIGKILL, or frozen
// (SIGSTOP) until it is declared inactive. Its tasks are dispatched again
// elsewhere, none is lost, a late result from the frozen worker does not
// overwrite the record of the re-dispatched task, and a worker that comes
// back is used again.
#include <doctest/doctest.h>

#include <csignal>
#include <set>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// The ids of the tasks among task_ids whose record says running on worker_id.
std::vector<std::string> running_on(Client& client, const std::vector<std::string>& task_ids,
                                    const std::string& worker_id) {
    std::vector<std::string> found;
    for (const auto& task_id : task_ids) {
        const auto record = client.get(task_id);
        if (record && record->state == TaskState::running && record->worker_id == worker_id) {
            found.push_back(task_id);
        }
    }
    return found;
}

}  // namespace

TEST_CASE("subworker failover: kill -9 of a subworker in the middle of a stream loses no task") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "2"});
    SubworkerProcess sw2(control_plane, "sw2", {"--concurrency", "2"});
    SubworkerProcess sw3(control_plane, "sw3", {"--concurrency", "2"});
    for (auto* subworker : {&sw1, &sw2, &sw3})
        REQUIRE_MESSAGE(subworker->wait_until_registered(), subworker->describe());

    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 30; ++i) task_ids.push_back(client.submit("sleep", sleep_payload(0.3)));

    std::vector<std::string> on_victim;
    REQUIRE(poll_until(
        [&] {
            on_victim = running_on(client, task_ids, "sw2");
            return !on_victim.empty();
        },
        10s));
    sw2.process().expect_exit_code(128 + SIGKILL);
    sw2.process().send_signal(SIGKILL);
    REQUIRE(sw2.process().wait_for_exit(10s));

    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 40s);
    INFO(describe_unsuccessful(records));
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    for (const auto& record : records) {
        CHECK(record.state == TaskState::success);
        CHECK(record.result == nlohmann::json(0.3).dump());
    }
    CHECK(wait_for_subworker_activity(control_plane, "sw2", false, 10s));
    CHECK(control_plane.process().is_running());
}

TEST_CASE(
    "subworker failover: a frozen subworker's task runs elsewhere, its late result is ignored, and "
    "it is used again when it thaws") {
    ControlPlaneProcess control_plane(kFastHeartbeats);
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1", "--prefetch", "0"});
    SubworkerProcess sw2(control_plane, "sw2", {"--concurrency", "1", "--prefetch", "0"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    REQUIRE_MESSAGE(sw2.wait_until_registered(), sw2.describe());

    Client client(control_plane.client_options());
    const std::string task_id = client.submit("sleep", sleep_payload(1.0));
    std::optional<TaskRecord> running;
    REQUIRE(poll_until(
        [&] {
            running = client.get(task_id);
            return running && running->state == TaskState::running;
        },
        10s));
    const std::string frozen_id = running->worker_id;
    REQUIRE((frozen_id == "sw1" || frozen_id == "sw2"));
    SubworkerProcess& frozen = frozen_id == "sw1" ? sw1 : sw2;
    const std::string other_id = frozen_id == "sw1" ? "sw2" : "sw1";

    frozen.process().send_signal(SIGSTOP);
    CHECK(wait_for_subworker_activity(control_plane, frozen_id, false, 10s));

    const auto record = wait_for_finished_record(control_plane.client_options(), task_id, 15s);
    REQUIRE(record);
    INFO("error: " << record->error);
    CHECK(record->state == TaskState::success);
    CHECK(record->worker_id == other_id);

    // Thawed, it finishes the sleep it was running and reports it late, then
    // re-registers by itself.
    frozen.process().send_signal(SIGCONT);
    CHECK(wait_for_subworker_activity(control_plane, frozen_id, true, 15s));
    // Its late RESULT for task_id went out before its re-registration was
    // seen; any queries from now on are answered after it was handled.
    const auto after = client.get(task_id);
    REQUIRE(after);
    CHECK(after->state == TaskState::success);
    CHECK(after->worker_id == other_id);
    CHECK(after->finished_at == record->finished_at);

    // Used again: with both subworkers idle and one handler each, two
    // long-enough tasks submitted together go one to each.
    std::vector<std::string> pair{client.submit("sleep", sleep_payload(0.5)),
                                  client.submit("sleep", sleep_payload(0.5))};
    const auto records = wait_for_all_finished(control_plane.client_options(), pair, 15s);
    INFO(describe_unsuccessful(records));
    std::set<std::string> workers;
    for (const auto& done : records) {
        CHECK(done.state == TaskState::success);
        workers.insert(done.worker_id);
    }
    CHECK(workers.count(frozen_id) == 1);
}

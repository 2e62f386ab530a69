// subworker_crash_test.cpp -- a task whose handler kills every subworker it
// is sent to (fq_test_crash's `crash`, which calls abort(), in subworkers
// that run handlers in their own process: --isolation thread). The control
// plane dispatches it again after each loss, and after --max-worker-losses
// losses ends it as failure "worker lost" instead of looping forever, while
// the other tasks complete on the subworkers that are left.
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

TEST_CASE(
    "subworker crash: a task that kills every worker ends failure \"worker lost\" after "
    "--max-worker-losses; other tasks complete") {
    // One handler and no prefetch per subworker: a subworker running `crash`
    // holds no other task, so only `crash` loses its worker.
    // The control plane loads fq_test_crash too (it fails a task whose name
    // it does not know), but must never run `crash` itself: one of the three
    // subworkers always outlives the two losses.
    ControlPlaneProcess control_plane(
        {"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3", "--max-worker-losses", "2"},
        {}, {"fq_test_crash"});
    std::vector<std::unique_ptr<SubworkerProcess>> subworkers;
    for (const char* id : {"sw1", "sw2", "sw3"}) {
        subworkers.push_back(std::make_unique<SubworkerProcess>(
            control_plane, id,
            // In-process handlers: `crash` takes the whole subworker down.
            std::vector<std::string>{"--concurrency", "1", "--prefetch", "0", "--isolation",
                                     "thread"},
            std::vector<std::string>{"fq_test_crash"}));
    }
    for (auto& subworker : subworkers)
        REQUIRE_MESSAGE(subworker->wait_until_registered(), subworker->describe());

    Client client(control_plane.client_options());
    const std::string crash_id = client.submit("crash", "{}");
    std::vector<std::string> others;
    for (int i = 0; i < 20; ++i) others.push_back(client.submit("sleep", sleep_payload(0.1)));

    const auto crash = wait_for_finished_record(control_plane.client_options(), crash_id, 30s);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    REQUIRE(crash);
    CHECK(crash->state == TaskState::failure);
    CHECK(crash->error == "worker lost");
    CHECK(crash->attempts == 2);
    CHECK(crash->worker_id != "control-plane");

    const auto records = wait_for_all_finished(control_plane.client_options(), others, 30s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) CHECK(record.state == TaskState::success);

    // Exactly two subworkers ran `crash` (which calls abort()), and the
    // control plane survived.
    int crashed = 0;
    for (auto& subworker : subworkers) {
        if (!subworker->process().is_running()) {
            ++crashed;
            subworker->process().expect_exit_code(128 + SIGABRT);
        }
    }
    CHECK(crashed == 2);
    CHECK(control_plane.process().is_running());

    // A new subworker can replace the lost ones, and the pool keeps working.
    SubworkerProcess replacement(control_plane, "replacement");
    REQUIRE_MESSAGE(replacement.wait_until_registered(), replacement.describe());
    const auto after = client.submit_and_wait("echo", echo_payload("still here"));
    CHECK(after.state == TaskState::success);
}

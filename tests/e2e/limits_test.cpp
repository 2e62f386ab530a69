// limits_test.cpp -- the control plane's bounds on what it holds: a full
// queue refuses a submission as "busy" (fastqueue submit exits 5) and
// changes nothing else; a payload over --max-payload-bytes is refused (exit
// 6); a peer that sends a frame past the limit is cut off by ZeroMQ and the
// control plane goes on serving. Accepted plus refused equals sent.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/uuid.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

TEST_CASE("limits: a full queue refuses a submission as busy and loses nothing already queued") {
    ControlPlaneProcess control_plane({"--concurrency", "1", "--max-queued", "2"});
    Client client(control_plane.client_options());
    const std::string blocker = client.submit("sleep", Client::make_payload("[1]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));

    std::vector<std::string> accepted;
    accepted.push_back(client.submit("echo", Client::make_payload(R"(["first"])", "{}")));
    accepted.push_back(client.submit("echo", Client::make_payload(R"(["second"])", "{}")));

    const auto refused = control_plane.cli({"submit", "--task-name", "echo", "--args", "third"});
    INFO(refused.describe());
    CHECK(refused.exit_code == 5);
    CHECK(refused.stderr_text.find("busy") != std::string::npos);

    try {
        client.submit("echo", Client::make_payload(R"(["fourth"])", "{}"));
        FAIL("a submission into a full queue was accepted");
    } catch (const ClientError& error) {
        CHECK(error.kind() == ClientErrorKind::busy);
    }

    // The two accepted tasks run; nothing else was queued.
    for (const auto& task_id : accepted) {
        const auto record = wait_for_finished_record(control_plane.client_options(), task_id, 15s);
        REQUIRE(record);
        CHECK(record->state == TaskState::success);
    }
    // Once the queue has room again, submissions are accepted.
    const auto after = control_plane.cli({"submit", "--task-name", "echo", "--args", "after"});
    INFO(after.describe());
    CHECK(after.exit_code == 0);
}

TEST_CASE("limits: a payload over --max-payload-bytes is refused, a smaller one runs") {
    ControlPlaneProcess control_plane({"--max-payload-bytes", "1000"});
    const auto too_large =
        control_plane.cli({"submit", "--task-name", "echo", "--args", std::string(2000, 'x')});
    INFO(too_large.describe());
    CHECK(too_large.exit_code == 6);
    CHECK(too_large.stderr_text.find("--max-payload-bytes") != std::string::npos);

    const auto small =
        control_plane.cli({"submit", "--task-name", "echo", "--args", std::string(100, 'y')});
    INFO(small.describe());
    CHECK(small.exit_code == 0);
}

TEST_CASE("limits: a peer sending a frame past the limit is cut off and others are still served") {
    ControlPlaneProcess control_plane({"--max-payload-bytes", "1000"});
    WireClient flooder(control_plane.address());  // base+0: critical submissions
    const std::string task_id = generate_uuid();
    flooder.send_raw(submit_frames(task_id, "echo", true, std::string(64 * 1024, 'z')));
    // No answer: ZeroMQ drops the connection before the frame is read.
    CHECK_FALSE(flooder.receive(500ms).has_value());

    const auto status = control_plane.cli({"status", "--task-id", task_id});
    CHECK(status.exit_code == 1);  // never accepted
    const auto normal = control_plane.cli({"submit", "--task-name", "add", "--args", "2", "3"});
    INFO(normal.describe());
    CHECK(normal.exit_code == 0);
    CHECK(normal.stdout_text.find('5') != std::string::npos);
}

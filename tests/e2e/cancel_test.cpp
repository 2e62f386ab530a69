// cancel_test.cpp -- `fastqueue cancel`: a queued task is removed, recorded
// as cancelled and never runs; a running sleep has its cancellation flag
// raised and ends cancelled; cancelling an unknown or finished task exits 1
// and a malformed id exits 2.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "common/uuid.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

TEST_CASE("cancel: a queued task ends cancelled and never runs") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());
    const std::string blocker = client.submit("sleep", Client::make_payload("[0.5]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));
    const std::string victim = client.submit("echo", Client::make_payload(R"(["never"])", "{}"));

    const auto cancel = control_plane.cli({"cancel", "--task-id", victim});
    INFO(cancel.describe());
    CHECK(cancel.exit_code == 0);
    const auto blocker_record = client.get(blocker);
    REQUIRE_MESSAGE(
        (blocker_record && blocker_record->state == TaskState::running),
        "setup: the blocking sleep ended before the cancel, so the task was not queued");

    // A task submitted after the cancelled one runs once the blocker is done;
    // by then the queue has gone past the cancelled task.
    const std::string after = client.submit("echo", Client::make_payload(R"(["after"])", "{}"));
    const auto after_record = wait_for_finished_record(control_plane.client_options(), after, 15s);
    REQUIRE(after_record);
    CHECK(after_record->state == TaskState::success);

    const auto status = control_plane.cli({"status", "--task-id", victim, "--json"});
    INFO(status.describe());
    REQUIRE(status.exit_code == 0);
    const auto record = parse_json(status.stdout_text);
    CHECK(record["status"] == "cancelled");
    CHECK(record["started_at"].is_null());
    CHECK(record["attempts"] == 0);
    CHECK(record["result"].is_null());
    CHECK(is_iso_timestamp(record.value("finished_at", "")));
}

TEST_CASE("cancel: a running sleep ends cancelled long before it would have finished") {
    ControlPlaneProcess control_plane;
    Client client(control_plane.client_options());
    const std::string task_id = client.submit("sleep", Client::make_payload("[30]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), task_id, TaskState::running, 10s));

    const auto cancel = control_plane.cli({"cancel", "--task-id", task_id});
    INFO(cancel.describe());
    CHECK(cancel.exit_code == 0);

    // 30 s is the sleep; 10 s is only the bound of this wait.
    const auto record = wait_for_finished_record(control_plane.client_options(), task_id, 10s);
    REQUIRE(record);
    CHECK(record->state == TaskState::cancelled);
    CHECK(record->started_at != Timestamp{});
    CHECK(record->finished_at != Timestamp{});
    CHECK(record->result.empty());

    const auto status = control_plane.cli({"status", "--task-id", task_id, "--json"});
    INFO(status.describe());
    CHECK(parse_json(status.stdout_text)["status"] == "cancelled");
}

TEST_CASE("cancel: a client waiting on a cancelled running task receives the cancelled record") {
    ControlPlaneProcess control_plane;
    // A raw submission with an id chosen here, so that the task can be
    // cancelled while this connection waits for its result.
    const std::string task_id = generate_uuid();
    WireClient submitter(control_plane.address());
    submitter.send_raw(
        submit_frames(task_id, "sleep", /*wants_result=*/true, R"({"args":[30],"kwargs":{}})"));
    const auto ack = submitter.receive(10s);
    REQUIRE(ack);
    REQUIRE(ack->message);
    REQUIRE(std::holds_alternative<protocol::Ack>(*ack->message));
    REQUIRE(wait_for_state(control_plane.client_options(), task_id, TaskState::running, 10s));

    const auto cancel = control_plane.cli({"cancel", "--task-id", task_id});
    INFO(cancel.describe());
    CHECK(cancel.exit_code == 0);

    const auto reply = submitter.receive(10s);
    REQUIRE(reply);
    REQUIRE(reply->message);
    REQUIRE(std::holds_alternative<protocol::Result>(*reply->message));
    const auto& record = std::get<protocol::Result>(*reply->message).record;
    CHECK(record.task_id == task_id);
    CHECK(record.state == TaskState::cancelled);
}

TEST_CASE("cancel: an unknown task id exits 1") {
    ControlPlaneProcess control_plane;
    const auto run = control_plane.cli({"cancel", "--task-id", generate_uuid()});
    INFO(run.describe());
    CHECK(run.exit_code == 1);
}

TEST_CASE("cancel: a task that already finished exits 1 and keeps its result") {
    ControlPlaneProcess control_plane;
    const auto submit =
        control_plane.cli({"submit", "--task-name", "add", "--args", "1", "2", "--non-blocking"});
    REQUIRE(submit.exit_code == 0);
    const std::string task_id = trim(submit.stdout_text);
    const auto finished = wait_for_finished_record(control_plane.client_options(), task_id, 10s);
    REQUIRE(finished);
    REQUIRE(finished->state == TaskState::success);

    const auto run = control_plane.cli({"cancel", "--task-id", task_id});
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    const auto status = control_plane.cli({"status", "--task-id", task_id, "--json"});
    const auto record = parse_json(status.stdout_text);
    CHECK(record["status"] == "success");
    CHECK(record["result"] == nlohmann::json(3));
}

TEST_CASE("cancel: cancelling the same queued task twice exits 0 then 1") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());
    const std::string blocker = client.submit("sleep", Client::make_payload("[0.5]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), blocker, TaskState::running, 10s));
    const std::string victim = client.submit("echo", Client::make_payload("[1]", "{}"));

    const auto first = control_plane.cli({"cancel", "--task-id", victim});
    const auto second = control_plane.cli({"cancel", "--task-id", victim});
    INFO(first.describe() << "\n" << second.describe());
    CHECK(first.exit_code == 0);
    CHECK(second.exit_code == 1);
}

TEST_CASE("cancel: a task id that is not a UUID is a usage error (exit 2)") {
    ControlPlaneProcess control_plane;
    const auto run = control_plane.cli({"cancel", "--task-id", "not-a-task-id"});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
    CHECK(contains(run.stderr_text, "not-a-task-id"));
}

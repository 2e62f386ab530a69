// signals_test.cpp -- stopping a control plane with SIGTERM or SIGINT. It
// stops taking tasks, lets a running task finish within --shutdown-grace
// (the client waiting for it still gets its result), records queued tasks
// that never started as cancelled (their waiting clients are told), and
// exits 0; a task that outlives the grace does not keep the process alive.
#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <variant>

#include "common/uuid.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// Submits task_name(args) on the given priority port with an id chosen here
// and asks for the result to be pushed to this connection; waits for the ACK.
std::string submit_waiting(WireClient& connection, const std::string& task_name,
                           const std::string& args_json) {
    const std::string task_id = generate_uuid();
    connection.send_raw(submit_frames(task_id, task_name, /*wants_result=*/true,
                                      Client::make_payload(args_json, "{}")));
    const auto ack = connection.receive(10s);
    REQUIRE(ack);
    REQUIRE_MESSAGE(ack->message, ack->error);
    REQUIRE(std::holds_alternative<protocol::Ack>(*ack->message));
    CHECK(std::get<protocol::Ack>(*ack->message).task_id == task_id);
    return task_id;
}

// The RESULT pushed to connection for task_id, waiting up to timeout.
std::optional<TaskRecord> receive_result(WireClient& connection, const std::string& task_id,
                                         std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int messages = 0; messages < 100; ++messages) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) break;
        auto reply = connection.receive(left);
        if (!reply) break;
        if (!reply->message) continue;
        if (auto* result = std::get_if<protocol::Result>(&*reply->message)) {
            if (result->record.task_id == task_id) return result->record;
        }
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE(
    "signals: SIGTERM lets a running task finish, tells its waiting client success, and exits 0") {
    ControlPlaneProcess control_plane({"--concurrency", "1", "--shutdown-grace", "20"});
    WireClient waiting(control_plane.address());
    const std::string task_id = submit_waiting(waiting, "sleep", "[1.0]");
    REQUIRE(wait_for_state(control_plane.client_options(), task_id, TaskState::running, 10s));

    control_plane.process().send_signal(SIGTERM);

    const auto record = receive_result(waiting, task_id, 15s);
    REQUIRE(record);
    CHECK(record->state == TaskState::success);
    CHECK(nlohmann::json::parse(record->result) == nlohmann::json(1.0));
    const auto exit_code = control_plane.process().wait_for_exit(15s);
    INFO(control_plane.process().stderr_text());
    REQUIRE(exit_code);
    CHECK(*exit_code == 0);
}

TEST_CASE("signals: SIGTERM ends a queued task that never started as cancelled") {
    ControlPlaneProcess control_plane({"--concurrency", "1", "--shutdown-grace", "20"});
    WireClient waiting(control_plane.address());
    const std::string running = submit_waiting(waiting, "sleep", "[1.0]");
    REQUIRE(wait_for_state(control_plane.client_options(), running, TaskState::running, 10s));
    WireClient queued_waiting(control_plane.address());
    const std::string queued = submit_waiting(queued_waiting, "echo", R"(["never"])");
    {
        Client client(control_plane.client_options());
        const auto record = client.get(queued);
        REQUIRE(record);
        REQUIRE(record->state == TaskState::queued);
    }

    control_plane.process().send_signal(SIGTERM);

    const auto queued_record = receive_result(queued_waiting, queued, 15s);
    REQUIRE(queued_record);
    CHECK(queued_record->state == TaskState::cancelled);
    CHECK(queued_record->started_at == Timestamp{});
    CHECK(queued_record->attempts == 0);
    const auto running_record = receive_result(waiting, running, 15s);
    REQUIRE(running_record);
    CHECK(running_record->state == TaskState::success);
    const auto exit_code = control_plane.process().wait_for_exit(15s);
    INFO(control_plane.process().stderr_text());
    REQUIRE(exit_code);
    CHECK(*exit_code == 0);
}

TEST_CASE("signals: SIGINT stops an idle control plane with exit 0 and frees its ports") {
    ControlPlaneProcess control_plane;
    control_plane.process().send_signal(SIGINT);
    const auto exit_code = control_plane.process().wait_for_exit(15s);
    INFO(control_plane.process().stderr_text());
    REQUIRE(exit_code);
    CHECK(*exit_code == 0);
    // Every port it served on (ControlPlaneProcess::kPortCount from its
    // base) can be bound again, and nothing answers there any more.
    for (int offset = 0; offset < ControlPlaneProcess::kPortCount; ++offset) {
        INFO("port " << control_plane.base_port() + offset);
        CHECK(is_port_free(control_plane.base_port() + offset));
    }
    const auto run =
        run_fastqueue({"status", "--task-id", generate_uuid(), "--control-plane-address",
                       control_plane.address(), "--timeout", "0.5"});
    INFO(run.describe());
    CHECK(run.exit_code == 3);
}

TEST_CASE("signals: SIGTERM stops an idle control plane with exit 0") {
    ControlPlaneProcess control_plane;
    control_plane.process().send_signal(SIGTERM);
    const auto exit_code = control_plane.process().wait_for_exit(15s);
    INFO(control_plane.process().stderr_text());
    REQUIRE(exit_code);
    CHECK(*exit_code == 0);
}

TEST_CASE(
    "signals: a task that outlives --shutdown-grace does not keep the process alive; exit 0") {
    ControlPlaneProcess control_plane({"--shutdown-grace", "1"});
    Client client(control_plane.client_options());
    const std::string task_id = client.submit("sleep", Client::make_payload("[120]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), task_id, TaskState::running, 10s));

    control_plane.process().send_signal(SIGTERM);
    // 120 s is the sleep; 20 s only bounds this wait.
    const auto exit_code = control_plane.process().wait_for_exit(20s);
    INFO(control_plane.process().stderr_text());
    REQUIRE(exit_code);
    CHECK(*exit_code == 0);
}

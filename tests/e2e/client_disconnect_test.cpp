// client_disconnect_test.cpp -- clients that go away before their result,
// and clients that send the same submission twice: the task still runs
// exactly once, its result is cached, and the control plane keeps serving.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/uuid.hpp"
#include "fastqueue/client.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/fastqueue_cli.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// The address of the control plane's normal-priority port.
std::string normal_port(const ControlPlaneProcess& control_plane) {
    return "tcp://127.0.0.1:" +
           std::to_string(control_plane.base_port() + static_cast<int>(Priority::normal));
}

bool is_acknowledged(WireClient& wire, const std::string& task_id) {
    auto reply = wire.receive(10s);
    return reply && reply->message && std::holds_alternative<protocol::Ack>(*reply->message) &&
           std::get<protocol::Ack>(*reply->message).task_id == task_id;
}

}  // namespace

TEST_CASE("client disconnect: tasks whose submitters left still run and their results are cached") {
    ControlPlaneProcess control_plane({"--concurrency", "2"});
    constexpr int kClients = 50;
    std::vector<std::string> task_ids;
    {
        std::vector<std::unique_ptr<WireClient>> clients;
        for (int i = 0; i < kClients; ++i) {
            task_ids.push_back(generate_uuid());
            clients.push_back(std::make_unique<WireClient>(normal_port(control_plane)));
            clients.back()->send_raw(submit_frames(task_ids.back(), "sleep", /*wants_result=*/true,
                                                   R"({"args":[0.02]})"));
            REQUIRE(is_acknowledged(*clients.back(), task_ids.back()));
        }
    }  // every submitter disconnects here, before most results exist

    const ClientOptions options = control_plane.client_options();
    for (const auto& task_id : task_ids) {
        auto record = wait_for_finished_record(options, task_id, 30s);
        REQUIRE(record);
        CHECK(record->state == TaskState::success);
        CHECK(record->result == "0.02");
        CHECK(record->attempts == 1);
    }
    // The results pushed to the departed clients went nowhere, and the
    // control plane still serves new clients.
    Client client(options);
    CHECK(client.submit_and_wait("echo", Client::make_payload("[1]", "")).result == "1");
}

TEST_CASE("resubmission: the same task id sent again is acknowledged and never runs twice") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    WireClient wire(normal_port(control_plane));
    const std::string task_id = generate_uuid();
    const auto frames =
        submit_frames(task_id, "sleep", /*wants_result=*/false, R"({"args":[0.3]})");

    wire.send_raw(frames);
    REQUIRE(is_acknowledged(wire, task_id));
    wire.send_raw(frames);  // while it runs
    REQUIRE(is_acknowledged(wire, task_id));

    const ClientOptions options = control_plane.client_options();
    auto record = wait_for_finished_record(options, task_id, 15s);
    REQUIRE(record);
    CHECK(record->state == TaskState::success);
    CHECK(record->attempts == 1);

    wire.send_raw(frames);  // after it ended: answered from the result cache
    REQUIRE(is_acknowledged(wire, task_id));
    std::this_thread::sleep_for(500ms);
    auto again = Client(options).get(task_id);
    REQUIRE(again);
    CHECK(again->attempts == 1);
    CHECK(again->finished_at == record->finished_at);
}

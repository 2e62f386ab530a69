// queued_tasks_test.cpp -- what the control plane keeps of a task while it
// waits in the queue (docs/architecture.md: queued tasks are held in compact
// form): status reads it as submitted, and when it runs it gets its exact
// input and its client gets the RESULT, whatever the payload's size and
// whatever routing id the client's socket has.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "common/uuid.hpp"
#include "fastqueue/client.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// An echo payload whose argument is `length` bytes of text.
std::string echo_of_length(std::size_t length, char fill) {
    return Client::make_payload("[\"" + std::string(length, fill) + "\"]", "");
}

}  // namespace

TEST_CASE(
    "queued tasks: status reads a waiting task as submitted, and it later runs on its exact "
    "input") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    const ClientOptions options = control_plane.client_options();
    Client client(options);
    // The only handler thread is busy until the blocker is cancelled below;
    // the control plane keeps up to 64 more tasks waiting in its engine, so
    // fill that window first.
    const std::string blocker = client.submit("sleep", Client::make_payload("[60]", ""));
    std::vector<std::string> window;
    for (int i = 0; i < 64; ++i) {
        window.push_back(client.submit("sleep", Client::make_payload("[0]", "")));
    }

    // Payloads below and above the size the control plane copies out of
    // ZeroMQ's receive buffer (1 KiB), from a client whose routing id is too
    // long to be stored inline (15 bytes), at two priorities.
    const std::string routing_id(40, 'r');
    const std::string normal_address =
        "tcp://127.0.0.1:" + std::to_string(control_plane.base_port() + 2);
    WireClient wire(normal_address, routing_id);
    struct Sent {
        std::string task_id;
        std::string expected_result;
    };
    std::vector<Sent> sent;
    for (std::size_t length : {std::size_t{10}, std::size_t{200}, std::size_t{5000}}) {
        const std::string task_id = generate_uuid();
        wire.send_raw(submit_frames(task_id, "echo", /*wants_result=*/true,
                                    echo_of_length(length, 'a' + static_cast<char>(sent.size()))));
        sent.push_back(
            {task_id, "\"" + std::string(length, 'a' + static_cast<char>(sent.size())) + "\""});
    }

    // Each gets its ACK, then (once the blocker is gone) its RESULT with
    // exactly its input echoed, on the socket it came from.
    std::size_t acks = 0;
    std::vector<std::string> results(sent.size());
    const auto take_reply = [&](const protocol::DecodeResult& reply) {
        if (!reply.message) return;
        if (std::holds_alternative<protocol::Ack>(*reply.message)) {
            ++acks;
        } else if (auto* result = std::get_if<protocol::Result>(&*reply.message)) {
            for (std::size_t i = 0; i < sent.size(); ++i) {
                if (sent[i].task_id != result->record.task_id) continue;
                CHECK(result->record.state == TaskState::success);
                CHECK(result->record.attempts == 1);
                results[i] = result->record.result;
            }
        }
    };
    // The ACKs first: a QUERY on the query port travels on another
    // connection and could otherwise reach the control plane before the
    // SUBMIT it asks about.
    const auto ack_deadline = std::chrono::steady_clock::now() + 30s;
    while (acks < sent.size() && std::chrono::steady_clock::now() < ack_deadline) {
        if (auto reply = wire.receive(1s)) take_reply(*reply);
    }
    REQUIRE(acks == sent.size());

    // While they wait: queued, with name, priority and submit time, and
    // nothing of a run.
    for (const auto& task : sent) {
        auto record = client.get(task.task_id);
        REQUIRE(record);
        CHECK(record->task_id == task.task_id);
        CHECK(record->state == TaskState::queued);
        CHECK(record->task_name == "echo");
        CHECK(record->priority == Priority::normal);
        CHECK(record->attempts == 0);
        CHECK(record->worker_id.empty());
        CHECK(record->submitted_at != Timestamp{});
        CHECK(record->started_at == Timestamp{});
    }

    // Running by now (cancelling); cancelled would also free the thread.
    const CancelResult stopped = client.cancel(blocker);
    CHECK((stopped == CancelResult::cancelling || stopped == CancelResult::cancelled));

    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::count(results.begin(), results.end(), "") > 0 &&
           std::chrono::steady_clock::now() < deadline) {
        if (auto reply = wire.receive(1s)) take_reply(*reply);
    }
    CHECK(acks == sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
        INFO("task " << i);
        CHECK(results[i] == sent[i].expected_result);
    }
}

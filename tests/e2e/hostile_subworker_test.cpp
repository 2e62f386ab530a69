// hostile_subworker_test.cpp -- the control plane's links to its subworkers
// carry untrusted input too. The test registers a fake subworker over the
// wire (harness/fake_subworker.hpp), takes the tasks the control plane
// dispatches to it and answers with garbage: random bytes, a wrong protocol
// version, RESULTs and REFUSEDs for tasks it was never given (one of them
// forging the result of a task that already ended), a message of the wrong
// kind, and malformed RESULTs for the tasks it holds.
//
// Every such reply is logged once, naming the subworker, the link and the
// reason, and counted. A forged reply never changes another task's record;
// a malformed reply about a task the fake holds sends that task out again,
// and after --max-worker-losses such replies fails it as "worker lost":
// never lost, never left waiting.
#include <doctest/doctest.h>

#include <string>
#include <variant>
#include <vector>

#include "common/uuid.hpp"
#include "harness/bad_messages.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/fake_subworker.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr auto kHeartbeatInterval = 200ms;
constexpr auto kTimeout = 10s;
// The fake heartbeats only inside its own calls; a liveness of 25
// intervals (5 s) leaves the test's client calls ample time between them.
const std::vector<std::string> kControlPlaneFlags{
    "--heartbeat-interval", "0.2", "--heartbeat-liveness", "25", "--max-worker-losses", "2"};

struct BadReply {
    std::string description;
    std::vector<std::string> frames;
    std::string reason;
};

}  // namespace

TEST_CASE(
    "hostile subworker: forged and malformed replies are logged once and counted; no task is lost "
    "or overwritten") {
    ControlPlaneProcess control_plane(kControlPlaneFlags);
    const auto options = control_plane.client_options();
    Client client(options);
    const auto read_log = [&] { return control_plane.process().stderr_text(); };

    // A task that ends before the fake joins: its record must never change.
    const TaskRecord finished = client.submit_and_wait("echo", echo_payload("c"));
    REQUIRE(finished.state == TaskState::success);

    FakeSubworker fake(control_plane, "fake", {"echo"}, kHeartbeatInterval);
    REQUIRE(fake.register_with_control_plane(kTimeout));
    // The record of task_id, read while the fake keeps heartbeating, once
    // `is_wanted` accepts it; std::nullopt at the deadline.
    const auto wait_for_record = [&](const std::string& task_id, auto is_wanted) {
        std::optional<TaskRecord> record;
        poll_until(
            [&] {
                fake.pump(20ms);
                record = client.get(task_id);
                return record && is_wanted(*record);
            },
            kTimeout);
        return record;
    };
    const auto is_finished_record = [](const TaskRecord& record) {
        return is_finished(record.state);
    };
    std::size_t rejected = 0;
    // Sends each reply on `task`'s connection and checks its one log line.
    const auto send_bad_replies = [&](const DispatchedTask& task,
                                      const std::vector<BadReply>& replies) {
        for (const auto& reply : replies) {
            INFO("reply: " << reply.description);
            fake.reply(task, reply.frames);
            ++rejected;
            REQUIRE(poll_until(
                [&] {
                    fake.pump(20ms);
                    return rejection_lines(read_log()).size() >= rejected;
                },
                kTimeout));
            const auto lines = rejection_lines(read_log());
            REQUIRE(lines.size() == rejected);
            INFO("log line: " << lines.back());
            CHECK(contains(lines.back(), "rejected message #" + std::to_string(rejected) +
                                             " from subworker 'fake' on the link to " +
                                             fake.address() + ": "));
            CHECK(contains(lines.back(), reply.reason));
        }
    };

    SUBCASE("forged replies leave every record alone; malformed ones send the task out again") {
        const std::string task_a = client.submit("echo", echo_payload("a"));
        auto dispatched = fake.receive_submit(kTimeout);
        REQUIRE(dispatched);
        REQUIRE(dispatched->task_id == task_a);

        const std::string never_given = generate_uuid();
        send_bad_replies(
            *dispatched,
            {
                {"random bytes",
                 {"\x13\x37 garbage", std::string(5, '\0')},
                 "not a FastQueue message"},
                {"a wrong protocol version",
                 {"FQ/2", "ACK", task_a},
                 "unsupported protocol version"},
                {"a RESULT for a task never given",
                 result_frames(never_given, "echo", TaskState::success, "\"b\"", "fake"),
                 "RESULT for task " + never_given + ", which is not running there"},
                {"a forged RESULT for a task that already ended",
                 result_frames(finished.task_id, "echo", TaskState::success, "\"forged\"", "fake"),
                 "RESULT for task " + finished.task_id + ", which is not running there"},
                {"a REFUSED for a task never given",
                 {"FQ/1", "REFUSED", never_given, "no"},
                 "REFUSED for task " + never_given + ", which is not running there"},
                {"a QUERY, which a subworker never sends",
                 {"FQ/1", "QUERY", task_a},
                 "unexpected QUERY from a subworker"},
            });
        // Nothing changed: A still runs on the fake, the ended task keeps its
        // result, the unknown id stays unknown.
        auto record_a = client.get(task_a);
        REQUIRE(record_a);
        CHECK(record_a->state == TaskState::running);
        CHECK(record_a->worker_id == "fake");
        const auto record_c = client.get(finished.task_id);
        REQUIRE(record_c);
        CHECK(record_c->result == finished.result);
        CHECK(record_c->worker_id == finished.worker_id);
        CHECK(record_c->finished_at == finished.finished_at);
        CHECK_FALSE(client.get(never_given).has_value());

        // A RESULT for A whose metadata names another task: A is sent out
        // again (to the fake, the only subworker that runs echo).
        auto mismatched = result_frames(task_a, "echo", TaskState::success, "\"a\"", "fake");
        mismatched[3] = result_frames(never_given, "echo", TaskState::success, "\"a\"", "fake")[3];
        send_bad_replies(*dispatched, {{"a RESULT whose metadata names another task", mismatched,
                                        "differs from the task id frame"}});
        auto again = fake.receive_submit(kTimeout);
        REQUIRE(again);
        CHECK(again->task_id == task_a);

        // This time a proper answer: it is taken.
        fake.reply(*again, {"FQ/1", "ACK", task_a});
        fake.reply(*again, result_frames(task_a, "echo", TaskState::success, "\"a\"", "fake"));
        record_a = wait_for_record(task_a, is_finished_record);
        REQUIRE(record_a);
        CHECK(record_a->state == TaskState::success);
        CHECK(record_a->result == "\"a\"");
        CHECK(record_a->worker_id == "fake");
        CHECK(record_a->attempts == 2);
    }

    SUBCASE(
        "a task whose every answer is malformed fails as \"worker lost\" after "
        "--max-worker-losses") {
        const std::string task_d = client.submit("echo", echo_payload("d"));
        auto first = fake.receive_submit(kTimeout);
        REQUIRE(first);
        REQUIRE(first->task_id == task_d);
        auto truncated = result_frames(task_d, "echo", TaskState::success, "\"d\"", "fake");
        truncated.pop_back();
        send_bad_replies(*first, {{"a RESULT without its result frame", truncated,
                                   "RESULT has 4 frames, expected 5"}});

        auto second = fake.receive_submit(kTimeout);
        REQUIRE(second);
        REQUIRE(second->task_id == task_d);
        auto bad_metadata = result_frames(task_d, "echo", TaskState::success, "\"d\"", "fake");
        bad_metadata[3] = "{\"task_id\": ";
        send_bad_replies(*second, {{"a RESULT with metadata cut short", bad_metadata,
                                    "metadata is not valid UTF-8 JSON"}});

        const auto record_d = wait_for_record(task_d, is_finished_record);
        REQUIRE(record_d);
        CHECK(record_d->state == TaskState::failure);
        CHECK(record_d->error == "worker lost");
        CHECK(record_d->attempts == 2);
    }

    SUBCASE("a reply on the link of a subworker that holds no task is still read and counted") {
        // The control plane polls such links less often (every 100 ms), not
        // never: a late or unasked-for message there is still handled.
        const std::string task_f = client.submit("echo", echo_payload("f"));
        auto dispatched = fake.receive_submit(kTimeout);
        REQUIRE(dispatched);
        REQUIRE(dispatched->task_id == task_f);
        fake.reply(*dispatched, {"FQ/1", "ACK", task_f});
        fake.reply(*dispatched, result_frames(task_f, "echo", TaskState::success, "\"f\"", "fake"));
        const auto record_f = wait_for_record(task_f, is_finished_record);
        REQUIRE(record_f);
        REQUIRE(record_f->state == TaskState::success);

        const std::string never_given = generate_uuid();
        send_bad_replies(*dispatched,
                         {{"a RESULT for a task never given, while the fake holds none",
                           result_frames(never_given, "echo", TaskState::success, "\"g\"", "fake"),
                           "RESULT for task " + never_given + ", which is not running there"}});
        CHECK_FALSE(client.get(never_given).has_value());
    }

    SUBCASE("an ERROR whose text breaks lines cannot forge log lines; the task is sent out again") {
        const std::string task_e = client.submit("echo", echo_payload("e"));
        auto first = fake.receive_submit(kTimeout);
        REQUIRE(first);
        REQUIRE(first->task_id == task_e);
        fake.reply(*first, {"FQ/1", "ERROR", task_e,
                            "bad\n2026-01-01T00:00:00.000000Z warning [fastqueue-control-plane] "
                            "rejected message #99 from peer 00 on nowhere: forged"});
        auto second = fake.receive_submit(kTimeout);
        REQUIRE(second);
        CHECK(second->task_id == task_e);
        CHECK(contains(read_log(), "subworker 'fake' answered ERROR for task '" + task_e +
                                       "': bad?2026-01-01T00:00:00.000000Z warning"));
        fake.reply(*second, result_frames(task_e, "echo", TaskState::success, "\"e\"", "fake"));
        const auto record_e = wait_for_record(task_e, is_finished_record);
        REQUIRE(record_e);
        CHECK(record_e->state == TaskState::success);
        CHECK(record_e->attempts == 2);
    }

    // Every rejection was counted, once, and the control plane still serves.
    fake.pump(20ms);
    INFO(read_log());
    REQUIRE(control_plane.process().is_running());
    const auto status = client.get_subworker_status();
    REQUIRE(status.messages_rejected);
    CHECK(*status.messages_rejected == rejected);
    CHECK(rejection_lines(read_log()).size() == rejected);
    const auto sum = client.submit_and_wait("add", Client::make_payload("[2, 3]", "{}"));
    CHECK(sum.state == TaskState::success);
    CHECK(sum.result == "5");
}

TEST_CASE(
    "hostile subworker: a REGISTER with an address ZeroMQ cannot connect to is refused, and the "
    "control plane keeps serving") {
    // "a$b" is no host name ZeroMQ accepts: had the registration been taken,
    // dispatching a task there would fail inside the control plane's loop.
    ControlPlaneProcess control_plane;
    WireClient intruder(loopback_address(control_plane.base_port() + 5));
    intruder.send_raw({"FQ/1", "REGISTER", "intruder", "tcp://a$b:40000", "1", "0", "[\"add\"]"});
    const auto reply = intruder.receive(kTimeout);

    // A task the intruder claimed it could run is still served.
    Client client(control_plane.client_options());
    try {
        const auto sum = client.submit_and_wait("add", Client::make_payload("[2, 3]", "{}"));
        CHECK(sum.state == TaskState::success);
        CHECK(sum.result == "5");
    } catch (const ClientError& error) {
        FAIL_CHECK("add was not served: " << std::string(error.what()));
    }
    INFO(control_plane.process().stderr_text());
    CHECK(control_plane.process().is_running());

    REQUIRE(reply);
    REQUIRE(reply->message);
    INFO("reply type: " << protocol::message_type_name(*reply->message));
    REQUIRE(std::holds_alternative<protocol::Error>(*reply->message));
    CHECK(contains(std::get<protocol::Error>(*reply->message).message, "invalid address"));
}

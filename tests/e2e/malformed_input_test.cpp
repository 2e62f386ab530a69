// malformed_input_test.cpp -- what arrives on the control plane's ports is
// untrusted. A raw DEALER sends garbage frames, a wrong protocol id, a wrong
// protocol version and malformed messages to a submission port and to the
// query port. The control plane must answer ERROR or drop the message, must
// never run a task because of it, and must go on serving: afterwards the
// same connection and a normal client both work.
#include <doctest/doctest.h>

#include <string>
#include <variant>
#include <vector>

#include "common/uuid.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr int kNormalPortOffset = 2;
constexpr int kQueryPortOffset = 4;
// How long to wait for an answer that may legitimately never come.
constexpr std::chrono::milliseconds kAnswerWindow{300};

struct BadMessage {
    std::string description;
    std::vector<std::string> frames;
    std::string task_id;  // a valid id carried by the message, or "" when none
};

std::string payload() { return R"({"args":[1,2],"kwargs":{}})"; }

// Messages that are wrong in one way each. Those that carry a well-formed
// task id use a fresh one, so a test can check no task was created.
std::vector<BadMessage> bad_submissions() {
    std::vector<BadMessage> messages;
    auto with_id = [&](std::string description, auto make) {
        const std::string id = generate_uuid();
        messages.push_back({std::move(description), make(id), id});
    };
    messages.push_back({"one garbage frame", {"hello there"}, ""});
    messages.push_back({"binary garbage", {std::string("\x00\xff\xfe\x01", 4), std::string(3, '\0')}, ""});
    messages.push_back({"one empty frame", {""}, ""});
    with_id("wrong protocol id", [](const std::string& id) {
        auto frames = submit_frames(id, "add", true, payload());
        frames[0] = "XQ/1";
        return frames;
    });
    with_id("wrong protocol version", [](const std::string& id) {
        auto frames = submit_frames(id, "add", true, payload());
        frames[0] = "FQ/2";
        return frames;
    });
    with_id("unknown message type", [](const std::string& id) {
        auto frames = submit_frames(id, "add", true, payload());
        frames[1] = "SUBMITT";
        return frames;
    });
    with_id("SUBMIT with a frame missing", [](const std::string& id) {
        auto frames = submit_frames(id, "add", true, payload());
        frames.pop_back();
        return frames;
    });
    with_id("SUBMIT with an extra frame", [](const std::string& id) {
        auto frames = submit_frames(id, "add", true, payload());
        frames.push_back("extra");
        return frames;
    });
    messages.push_back({"SUBMIT with a task id that is not a UUID",
                        submit_frames("not-a-uuid", "add", true, payload()), ""});
    with_id("SUBMIT with an upper-case task id", [](const std::string& id) {
        std::string upper = id;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return submit_frames(upper, "add", true, payload());
    });
    with_id("SUBMIT with an invalid task name", [](const std::string& id) {
        return submit_frames(id, "bad name!", true, payload());
    });
    with_id("SUBMIT with an over-long task name", [](const std::string& id) {
        return submit_frames(id, std::string(300, 'a'), true, payload());
    });
    with_id("SUBMIT with a two-byte flags frame", [](const std::string& id) {
        auto frames = submit_frames(id, "add", true, payload());
        frames[4] = std::string("\x01\x00", 2);
        return frames;
    });
    with_id("SUBMIT with unknown flag bits", [](const std::string& id) {
        auto frames = submit_frames(id, "add", true, payload());
        frames[4] = "\x80";
        return frames;
    });
    with_id("a server-to-client message (ACK) sent to the server",
            [](const std::string& id) { return std::vector<std::string>{"FQ/1", "ACK", id}; });
    return messages;
}

std::vector<BadMessage> bad_queries() {
    std::vector<BadMessage> messages;
    messages.push_back({"one garbage frame", {"GET /status HTTP/1.1"}, ""});
    messages.push_back({"binary garbage", {std::string("\x00\x01\x02", 3)}, ""});
    const std::string id = generate_uuid();
    messages.push_back({"wrong protocol id", {"ZZ/1", "QUERY", id}, ""});
    messages.push_back({"wrong protocol version", {"FQ/9", "QUERY", id}, ""});
    messages.push_back({"QUERY with a task id that is not a UUID", {"FQ/1", "QUERY", "123"}, ""});
    messages.push_back({"QUERY with an extra frame", {"FQ/1", "QUERY", id, "more"}, ""});
    messages.push_back({"CANCEL with a missing task id", {"FQ/1", "CANCEL"}, ""});
    const std::string submitted = generate_uuid();
    messages.push_back({"SUBMIT sent to the query port", submit_frames(submitted, "add", true, payload()),
                        submitted});
    return messages;
}

// Sends each message on a fresh connection and checks that whatever comes
// back within the answer window decodes as an ERROR.
void send_and_check_answers(const std::string& address, const std::vector<BadMessage>& messages) {
    for (const auto& message : messages) {
        INFO("message: " << message.description);
        WireClient connection(address);
        connection.send_raw(message.frames);
        for (int answers = 0; answers < 5; ++answers) {
            const auto reply = connection.receive(kAnswerWindow);
            if (!reply) break;
            INFO("reply could not be decoded: " << reply->error);
            REQUIRE(reply->message);
            INFO("reply type: " << protocol::message_type_name(*reply->message));
            CHECK(std::holds_alternative<protocol::Error>(*reply->message));
        }
    }
}

// The control plane still takes and runs a normal task, from a new client and
// from a connection that has just sent garbage.
void check_still_serves(ControlPlaneProcess& control_plane, int port_offset_for_raw) {
    INFO(control_plane.process().stderr_text());
    REQUIRE(control_plane.process().is_running());
    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("add", Client::make_payload("[2, 3]", "{}"));
    CHECK(record.state == TaskState::success);
    CHECK(record.result == "5");

    WireClient connection(loopback_address(control_plane.base_port() + port_offset_for_raw));
    connection.send_raw({"garbage"});
    if (port_offset_for_raw == kQueryPortOffset) {
        connection.send_raw({"FQ/1", "QUERY", record.task_id});
    } else {
        connection.send_raw(submit_frames(generate_uuid(), "add", false, payload()));
    }
    bool is_answered = false;
    for (int answers = 0; answers < 5 && !is_answered; ++answers) {
        const auto reply = connection.receive(10s);
        REQUIRE(reply);
        REQUIRE(reply->message);
        is_answered = std::holds_alternative<protocol::Record>(*reply->message) ||
                      std::holds_alternative<protocol::Ack>(*reply->message);
    }
    CHECK(is_answered);
}

// None of the task ids the bad messages carried became a task.
void check_no_task_created(const ControlPlaneProcess& control_plane, const std::vector<BadMessage>& messages) {
    Client client(control_plane.client_options());
    for (const auto& message : messages) {
        if (message.task_id.empty()) continue;
        INFO("message: " << message.description);
        CHECK_FALSE(client.get(message.task_id).has_value());
    }
}

}  // namespace

TEST_CASE("malformed input: bad messages on a submission port get ERROR or nothing, and no task runs") {
    ControlPlaneProcess control_plane;
    const auto messages = bad_submissions();
    send_and_check_answers(loopback_address(control_plane.base_port() + kNormalPortOffset), messages);
    check_still_serves(control_plane, kNormalPortOffset);
    check_no_task_created(control_plane, messages);
}

TEST_CASE("malformed input: bad messages on the critical and low ports are refused the same way") {
    ControlPlaneProcess control_plane;
    for (int offset : {0, 3}) {
        INFO("port base+" << offset);
        send_and_check_answers(loopback_address(control_plane.base_port() + offset), bad_submissions());
    }
    check_still_serves(control_plane, 0);
}

TEST_CASE("malformed input: bad messages on the query port get ERROR or nothing, and queries still work") {
    ControlPlaneProcess control_plane;
    const auto messages = bad_queries();
    send_and_check_answers(loopback_address(control_plane.base_port() + kQueryPortOffset), messages);
    check_still_serves(control_plane, kQueryPortOffset);
    check_no_task_created(control_plane, messages);
}

TEST_CASE("malformed input: an ERROR for a message with a readable task id carries that id") {
    ControlPlaneProcess control_plane;
    const std::string id = generate_uuid();
    WireClient connection(loopback_address(control_plane.base_port() + kNormalPortOffset));
    auto frames = submit_frames(id, "bad name!", true, payload());
    connection.send_raw(frames);
    const auto reply = connection.receive(kAnswerWindow);
    if (reply) {
        REQUIRE(reply->message);
        REQUIRE(std::holds_alternative<protocol::Error>(*reply->message));
        CHECK(std::get<protocol::Error>(*reply->message).task_id == id);
        CHECK_FALSE(std::get<protocol::Error>(*reply->message).message.empty());
    }
    check_still_serves(control_plane, kNormalPortOffset);
}

TEST_CASE("malformed input: a large garbage frame does not stop the control plane") {
    ControlPlaneProcess control_plane;
    WireClient connection(loopback_address(control_plane.base_port() + kNormalPortOffset));
    connection.send_raw({std::string(4 * 1024 * 1024, 'z')});
    connection.send_raw(std::vector<std::string>(200, "frame"));
    check_still_serves(control_plane, kNormalPortOffset);
}

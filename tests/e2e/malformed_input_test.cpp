// malformed_input_test.cpp -- what arrives on the ports of a control plane
// and of a subworker is untrusted. Raw DEALERs send, to every port, messages
// that are wrong in one way each (harness/bad_messages.hpp): wrong frame
// counts, wrong protocol id or version, truncated and oversized frames,
// random bytes, valid frames in the wrong order, a message of the wrong
// kind, and a registration that claims a live subworker's id.
//
// Each must be answered ERROR (REGISTER_REFUSED for the registration), logged
// exactly once with the peer, the port and the reason, and counted; the
// control plane's count is what `fastqueue workers --json` shows. Meanwhile
// tasks accepted before and among the garbage all complete with the right
// result, and both processes go on serving.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "common/uuid.hpp"
#include "harness/bad_messages.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr int kNormalPortOffset = 2;
constexpr int kQueryPortOffset = 4;
constexpr int kManagementPortOffset = 5;
// An answer or a log line comes within milliseconds; this only bounds a hang.
constexpr auto kAnswerTimeout = 5s;
// How long to watch for something that must not happen.
constexpr auto kQuietWindow = 300ms;
constexpr std::uint32_t kRandomSeed = 20261127;
constexpr int kRandomMessagesPerPort = 5;

std::vector<BadMessage> concat(std::vector<BadMessage> first,
                               const std::vector<BadMessage>& second) {
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

// Sends `message` on a fresh connection to `address` and checks that it is
// answered ERROR with the reason, and that exactly one new rejection line,
// naming the peer, the port and the reason, appears in the log that
// `read_log` returns. The receiver must have logged no rejection that the
// test did not cause, so the line's number is the count of lines.
void check_rejected(const std::string& address, const BadMessage& message,
                    const std::function<std::string()>& read_log) {
    INFO("message: " << message.description << " to " << address);
    const std::size_t lines_before = rejection_lines(read_log()).size();
    WireClient connection(address);
    connection.send_raw(message.frames);
    const auto reply = connection.receive(kAnswerTimeout);
    REQUIRE(reply);
    REQUIRE(reply->message);
    INFO("reply type: " << protocol::message_type_name(*reply->message));
    REQUIRE(std::holds_alternative<protocol::Error>(*reply->message));
    CHECK(contains(std::get<protocol::Error>(*reply->message).message, message.reason));

    REQUIRE(poll_until([&] { return rejection_lines(read_log()).size() > lines_before; },
                       kAnswerTimeout));
    const auto lines = rejection_lines(read_log());
    REQUIRE(lines.size() == lines_before + 1);
    const std::string& line = lines.back();
    INFO("log line: " << line);
    CHECK(contains(line, " warning "));
    CHECK(contains(line, "rejected message #" + std::to_string(lines.size()) + " from peer "));
    CHECK(contains(line, "(127.0.0.1) on " + address + ": "));
    CHECK(contains(line, message.reason));
}

void check_all_rejected(
    const std::string& address, const std::vector<BadMessage>& messages,
    const std::function<std::string()>& read_log, const std::function<void()>& between = [] {}) {
    for (const auto& message : messages) {
        check_rejected(address, message, read_log);
        between();
    }
}

// None of the task ids the bad messages carried became a task.
void check_no_task_created(const ControlPlaneProcess& control_plane,
                           const std::vector<BadMessage>& messages) {
    Client client(control_plane.client_options());
    for (const auto& message : messages) {
        if (message.task_id.empty()) continue;
        INFO("message: " << message.description);
        CHECK_FALSE(client.get(message.task_id).has_value());
    }
}

std::uint64_t rejected_count(const ControlPlaneProcess& control_plane) {
    Client client(control_plane.client_options());
    const auto status = client.get_subworker_status();
    REQUIRE(status.messages_rejected.has_value());
    return *status.messages_rejected;
}

// Tasks submitted through the client library, each with the result it must
// end with: add(n, 1000) at a priority chosen by n.
class AcceptedTasks {
public:
    explicit AcceptedTasks(const ControlPlaneProcess& control_plane)
        : options_(control_plane.client_options()), client_(options_) {}

    void submit_one() {
        const int n = static_cast<int>(expected_.size());
        const auto priority = static_cast<Priority>(n % kPriorityCount);
        const std::string args = "[" + std::to_string(n) + ", 1000]";
        const std::string id = client_.submit("add", Client::make_payload(args, "{}"), priority);
        expected_[id] = std::to_string(n + 1000);
    }
    // A task still running while the garbage arrives.
    void submit_sleep() { expected_[client_.submit("sleep", sleep_payload(0.5))] = "0.5"; }

    void check_all_succeeded() {
        std::vector<std::string> ids;
        for (const auto& [id, result] : expected_) ids.push_back(id);
        const auto records = wait_for_all_finished(options_, ids, 60s);
        INFO(describe_unsuccessful(records));
        for (const auto& record : records) {
            CHECK(record.state == TaskState::success);
            CHECK(record.result == expected_.at(record.task_id));
        }
    }
    std::size_t size() const { return expected_.size(); }

private:
    ClientOptions options_;
    Client client_;
    std::map<std::string, std::string> expected_;  // task id -> result
};

}  // namespace

TEST_CASE(
    "malformed input: every control-plane port answers each bad message ERROR, logs it once with "
    "peer, port and reason, and counts it; accepted tasks all complete") {
    ControlPlaneProcess control_plane;
    SubworkerProcess subworker(control_plane, "sw1");
    REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
    const auto read_log = [&] { return control_plane.process().stderr_text(); };
    const std::uint64_t rejected_before = rejected_count(control_plane);
    CHECK(rejected_before == 0);

    AcceptedTasks accepted(control_plane);
    for (int i = 0; i < 4; ++i) accepted.submit_sleep();
    for (int i = 0; i < 8; ++i) accepted.submit_one();
    const auto submit_between = [&] { accepted.submit_one(); };

    std::size_t sent = 0;
    std::vector<BadMessage> all_sent;
    for (int offset = 0; offset < kPriorityCount; ++offset) {
        const auto messages =
            concat(bad_submissions(kWrongKindOnControlPlanePriorityPort),
                   random_garbage(kRandomSeed + static_cast<std::uint32_t>(offset),
                                  kRandomMessagesPerPort));
        check_all_rejected(loopback_address(control_plane.base_port() + offset), messages, read_log,
                           submit_between);
        sent += messages.size();
        all_sent = concat(std::move(all_sent), messages);
    }
    const auto queries =
        concat(bad_queries(), random_garbage(kRandomSeed + 4, kRandomMessagesPerPort));
    check_all_rejected(loopback_address(control_plane.base_port() + kQueryPortOffset), queries,
                       read_log, submit_between);
    const auto management =
        concat(bad_management_messages(), random_garbage(kRandomSeed + 5, kRandomMessagesPerPort));
    check_all_rejected(loopback_address(control_plane.base_port() + kManagementPortOffset),
                       management, read_log, submit_between);
    sent += queries.size() + management.size();
    all_sent = concat(concat(std::move(all_sent), queries), management);

    INFO(control_plane.process().stderr_text());
    REQUIRE(control_plane.process().is_running());
    CHECK(rejected_count(control_plane) == rejected_before + sent);
    CHECK(rejection_lines(read_log()).size() == sent);
    accepted.check_all_succeeded();
    check_no_task_created(control_plane, all_sent);

    // The count is what a user sees in `fastqueue workers --json`.
    const auto workers = control_plane.cli({"workers", "--json"});
    REQUIRE_MESSAGE(workers.exit_code == 0, workers.describe());
    const auto view = parse_json(workers.stdout_text);
    CHECK(view["messages_rejected"] == rejected_before + sent);
    CHECK(view["subworkers"]["sw1"]["status"] == "active");
}

TEST_CASE(
    "malformed input: a registration that claims a live subworker's id is refused, logged once and "
    "counted; the subworker keeps its tasks") {
    ControlPlaneProcess control_plane;
    SubworkerProcess subworker(control_plane, "sw1");
    REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
    AcceptedTasks accepted(control_plane);
    for (int i = 0; i < 2; ++i) accepted.submit_sleep();

    const std::string management =
        loopback_address(control_plane.base_port() + kManagementPortOffset);
    WireClient impostor(management);
    impostor.send_raw({"FQ/1", "REGISTER", "sw1", loopback_address(find_free_port_block(4)), "1",
                       "0", "[\"add\"]"});
    const auto reply = impostor.receive(kAnswerTimeout);
    REQUIRE(reply);
    REQUIRE(reply->message);
    REQUIRE(std::holds_alternative<protocol::RegisterRefused>(*reply->message));
    CHECK(contains(std::get<protocol::RegisterRefused>(*reply->message).reason,
                   "already registered by a live subworker at " + subworker.address()));

    const auto read_log = [&] { return control_plane.process().stderr_text(); };
    REQUIRE(poll_until([&] { return rejection_lines(read_log()).size() == 1; }, kAnswerTimeout));
    const auto lines = rejection_lines(read_log());
    INFO("log line: " << lines.front());
    CHECK(contains(lines.front(), "rejected message #1 from peer "));
    CHECK(contains(lines.front(), " on " + management + ": REGISTER from "));
    CHECK(contains(lines.front(), "already registered by a live subworker"));
    CHECK(rejected_count(control_plane) == 1);

    for (int i = 0; i < 4; ++i) accepted.submit_one();
    accepted.check_all_succeeded();
    const auto status = try_subworker_status(control_plane);
    REQUIRE(status);
    CHECK(status->subworkers.at("sw1").address == subworker.address());
    CHECK(status->subworkers.at("sw1").is_active);
    CHECK(rejection_lines(read_log()).size() == 1);
}

TEST_CASE(
    "malformed input: every task port of a subworker answers each bad message ERROR and logs it "
    "once, numbered; it keeps running tasks") {
    ControlPlaneProcess control_plane;
    SubworkerProcess subworker(control_plane, "sw1");
    REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
    const auto read_log = [&] { return subworker.process().stderr_text(); };
    AcceptedTasks accepted(control_plane);
    for (int i = 0; i < 4; ++i) accepted.submit_sleep();

    std::size_t sent = 0;
    for (int offset = 0; offset < kPriorityCount; ++offset) {
        const auto messages =
            concat(bad_submissions(kWrongKindOnSubworkerTaskPort),
                   random_garbage(kRandomSeed + static_cast<std::uint32_t>(offset),
                                  kRandomMessagesPerPort));
        check_all_rejected(loopback_address(subworker.base_port() + offset), messages, read_log,
                           [&] { accepted.submit_one(); });
        sent += messages.size();
    }
    INFO(subworker.describe());
    REQUIRE(subworker.process().is_running());
    CHECK(rejection_lines(read_log()).size() == sent);
    accepted.check_all_succeeded();
    // The subworker's garbage is none of the control plane's business.
    CHECK(rejected_count(control_plane) == 0);
}

TEST_CASE("malformed input: an ERROR for a message with a readable task id carries that id") {
    ControlPlaneProcess control_plane;
    const std::string id = generate_uuid();
    WireClient connection(loopback_address(control_plane.base_port() + kNormalPortOffset));
    connection.send_raw(submit_frames(id, "bad name!", true, sample_payload()));
    const auto reply = connection.receive(kAnswerTimeout);
    REQUIRE(reply);
    REQUIRE(reply->message);
    REQUIRE(std::holds_alternative<protocol::Error>(*reply->message));
    CHECK(std::get<protocol::Error>(*reply->message).task_id == id);
    CHECK_FALSE(std::get<protocol::Error>(*reply->message).message.empty());
}

TEST_CASE(
    "malformed input: a frame over --max-payload-bytes is cut off by ZeroMQ before the control "
    "plane reads it: no answer, no log line, no count; serving goes on") {
    ControlPlaneProcess control_plane({"--max-payload-bytes", "65536"});
    WireClient connection(loopback_address(control_plane.base_port() + kNormalPortOffset));
    connection.send_raw({std::string(1024 * 1024, 'z')});
    CHECK_FALSE(connection.receive(kQuietWindow));
    CHECK(rejection_lines(control_plane.process().stderr_text()).empty());
    CHECK(rejected_count(control_plane) == 0);

    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("add", Client::make_payload("[2, 3]", "{}"));
    CHECK(record.state == TaskState::success);
    CHECK(record.result == "5");
}

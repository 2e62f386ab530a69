// client_test.cpp -- the client library (runtime/client/client.cpp) against
// a fake control plane: a ROUTER socket on a free 127.0.0.1 port, driven from
// a thread by a script that answers each decoded request with chosen replies.
#include "fastqueue/client.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/endpoint.hpp"
#include "common/uuid.hpp"
#include "protocol/codec.hpp"
#include "transport/receive_frames.hpp"

using namespace fastqueue;
using namespace fastqueue::protocol;
using namespace std::chrono_literals;

namespace {

constexpr const char* kOtherId = "00000000-0000-4000-8000-000000000001";

int bound_port(zmq::socket_t& socket) {
    std::string endpoint = socket.get(zmq::sockopt::last_endpoint);
    return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

// A ROUTER that answers each request with what `script` returns for it.
class FakeControlPlane {
public:
    using Script = std::function<std::vector<Message>(Message& request)>;

    explicit FakeControlPlane(Script script)
        : socket_(context_, zmq::socket_type::router), script_(std::move(script)) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.bind("tcp://127.0.0.1:*");
        port_ = bound_port(socket_);
        thread_ = std::thread([this] { run(); });
    }
    ~FakeControlPlane() {
        is_stopping_ = true;
        thread_.join();
    }

    int port() const { return port_; }
    // The base address that puts this fake at base + port_offset.
    std::string base_for(int port_offset) const {
        return "tcp://127.0.0.1:" + std::to_string(port_ - port_offset);
    }
    std::vector<std::string> received_types() {
        std::lock_guard lock(mutex_);
        return received_types_;
    }
    std::vector<std::string> received_ids() {
        std::lock_guard lock(mutex_);
        return received_ids_;
    }

private:
    void run() {
        while (!is_stopping_) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, 10ms);
            if ((item.revents & ZMQ_POLLIN) == 0) continue;
            auto frames = receive_frames(socket_, kMaxBodyFrames + 1);
            if (!frames || frames->empty()) continue;
            zmq::message_t routing_id = std::move(frames->front());
            frames->erase(frames->begin());
            DecodeResult decoded = decode(*frames);
            if (!decoded.message) continue;
            {
                std::lock_guard lock(mutex_);
                received_types_.emplace_back(message_type_name(*decoded.message));
                received_ids_.push_back(decoded.task_id);
            }
            for (Message& reply : script_(*decoded.message)) {
                Frames out = encode(std::move(reply));
                out.insert(out.begin(), zmq::message_t(routing_id.data(), routing_id.size()));
                (void)zmq::send_multipart(socket_, out);
            }
        }
    }

    zmq::context_t context_{1};
    zmq::socket_t socket_;
    Script script_;
    int port_ = 0;
    std::atomic<bool> is_stopping_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> received_types_;  // guarded by mutex_
    std::vector<std::string> received_ids_;    // guarded by mutex_
};

// The request's task id; empty for WORKERS, which carries none.
const std::string& request_id(const Message& request) {
    static const std::string kNoTaskId;
    return std::visit(
        [](const auto& value) -> const std::string& {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Result> || std::is_same_v<T, Record>) {
                return value.record.task_id;
            } else if constexpr (requires { value.task_id; }) {
                return value.task_id;
            } else {
                return kNoTaskId;
            }
        },
        request);
}

TaskRecord success_record(const std::string& task_id, const std::string& result) {
    TaskRecord record;
    record.task_id = task_id;
    record.task_name = "add";
    record.state = TaskState::success;
    record.result = result;
    record.attempts = 1;
    record.worker_id = "control-plane";
    record.submitted_at = Clock::now();
    record.started_at = record.submitted_at;
    record.finished_at = record.submitted_at;
    return record;
}

std::vector<Message> replies(std::initializer_list<std::function<Message()>> makers) {
    std::vector<Message> out;
    for (const auto& make : makers) out.push_back(make());
    return out;
}

ClientOptions options_for(const std::string& base, std::chrono::milliseconds timeout = 5000ms) {
    ClientOptions options;
    options.control_plane_address = base;
    options.timeout = timeout;
    return options;
}

// A port nothing listens on: bound once by the system, then released.
int unused_port() {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind("tcp://127.0.0.1:*");
    return bound_port(socket);
}

}  // namespace

TEST_CASE("Client: submit_and_wait returns the pushed result after the ack") {
    std::atomic<bool> saw_wants_result{false};
    FakeControlPlane fake([&](Message& request) {
        auto& submit = std::get<Submit>(request);
        saw_wants_result = submit.wants_result;
        std::string payload(static_cast<const char*>(submit.payload.data()), submit.payload.size());
        return replies({[&] { return Message(Ack{submit.task_id}); },
                        [&] { return Message(Result{success_record(submit.task_id, payload)}); }});
    });
    Client client(options_for(fake.base_for(static_cast<int>(Priority::normal))));
    std::string payload = Client::make_payload("[2, 3]", "{}");
    TaskRecord record = client.submit_and_wait("add", payload);
    CHECK(record.state == TaskState::success);
    CHECK(is_canonical_uuid(record.task_id));
    CHECK(record.result == payload);  // the fake echoes the payload as the result
    CHECK(saw_wants_result);
}

TEST_CASE("Client: each priority goes to its own port, base+0 .. base+3") {
    for (auto priority : {Priority::critical, Priority::high, Priority::normal, Priority::low}) {
        CAPTURE(to_string(priority));
        FakeControlPlane fake([](Message& request) {
            return replies({[&] { return Message(Ack{request_id(request)}); }});
        });
        Client client(options_for(fake.base_for(static_cast<int>(priority))));
        std::string task_id = client.submit("add", "{}", priority);
        CHECK(is_canonical_uuid(task_id));
        CHECK(fake.received_types() == std::vector<std::string>{"SUBMIT"});
    }
}

TEST_CASE("Client: replies for another task id are ignored") {
    FakeControlPlane fake([](Message& request) {
        const std::string id = request_id(request);
        return replies({
            [] { return Message(Ack{kOtherId}); },
            [] {
                return Message(Refused{kOtherId, "busy"});
            },
            [] { return Message(Result{success_record(kOtherId, "\"stale\"")}); },
            [&] { return Message(Ack{id}); },
            [] { return Message(Result{success_record(kOtherId, "\"stale again\"")}); },
            [&] { return Message(Result{success_record(id, "\"mine\"")}); },
        });
    });
    Client client(options_for(fake.base_for(static_cast<int>(Priority::normal))));
    TaskRecord record = client.submit_and_wait("add", "{}");
    CHECK(record.result == "\"mine\"");
    CHECK(record.task_id != kOtherId);
}

TEST_CASE("Client: an unreachable control plane is reported with the address tried") {
    int port = unused_port();
    Client client(options_for("tcp://127.0.0.1:" + std::to_string(port - 2), 300ms));
    auto started = std::chrono::steady_clock::now();
    try {
        client.submit("add", "{}", Priority::normal);
        FAIL("submit to an unreachable control plane returned");
    } catch (const ClientError& error) {
        CHECK(error.kind() == ClientErrorKind::unreachable);
        CHECK(std::string(error.what()) ==
              "no answer from tcp://127.0.0.1:" + std::to_string(port) + " within 0.3 s");
    }
    auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(elapsed >= 290ms);
    CHECK(elapsed < 2s);

    CHECK_THROWS_AS(client.get(generate_uuid()), ClientError);
}

TEST_CASE("Client: a refusal is a refused error carrying the reason") {
    FakeControlPlane fake([](Message& request) {
        return replies({[&] {
            return Message(Refused{request_id(request), "payload of 99 bytes is too large"});
        }});
    });
    Client client(options_for(fake.base_for(static_cast<int>(Priority::low))));
    try {
        client.submit("add", "{}", Priority::low);
        FAIL("a refused submission returned");
    } catch (const ClientError& error) {
        CHECK(error.kind() == ClientErrorKind::refused);
        CHECK(std::string(error.what()).find("payload of 99 bytes is too large") !=
              std::string::npos);
    }
}

TEST_CASE("Client: a refusal whose reason starts with 'busy' is a busy error") {
    FakeControlPlane fake([](Message& request) {
        return replies({[&] {
            return Message(Refused{request_id(request), "busy: the low queue is full"});
        }});
    });
    Client client(options_for(fake.base_for(static_cast<int>(Priority::low))));
    try {
        client.submit("add", "{}", Priority::low);
        FAIL("a busy submission returned");
    } catch (const ClientError& error) {
        CHECK(error.kind() == ClientErrorKind::busy);
        CHECK(std::string(error.what()).find("busy: the low queue is full") != std::string::npos);
    }
}

TEST_CASE("Client: an acknowledged task that does not finish is a result timeout naming it") {
    FakeControlPlane fake([](Message& request) {
        return replies({[&] { return Message(Ack{request_id(request)}); }});
    });
    Client client(options_for(fake.base_for(static_cast<int>(Priority::normal)), 300ms));
    try {
        client.submit_and_wait("sleep", "{}");
        FAIL("submit_and_wait returned without a result");
    } catch (const ClientError& error) {
        CHECK(error.kind() == ClientErrorKind::result_timeout);
        REQUIRE(fake.received_ids().size() == 1);
        std::string submitted_id = fake.received_ids().front();
        CHECK(std::string(error.what()) ==
              "task " + submitted_id + " was accepted but did not finish within 0.3 s");
    }
}

TEST_CASE("Client: get returns the record, or nothing for an unknown id") {
    std::string known = generate_uuid();
    FakeControlPlane fake([&](Message& request) {
        const std::string id = request_id(request);
        if (id == known) {
            return replies({[&] { return Message(Record{success_record(id, "5")}); }});
        }
        return replies({[&] { return Message(NotFound{id}); }});
    });
    Client client(options_for(fake.base_for(kQueryPortOffset)));
    auto record = client.get(known);
    REQUIRE(record);
    CHECK(record->task_id == known);
    CHECK(record->result == "5");
    CHECK_FALSE(client.get(generate_uuid()));

    // An id typed in upper case is the same task.
    std::string upper = known;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(client.get(upper));
    CHECK(fake.received_types() == std::vector<std::string>{"QUERY", "QUERY", "QUERY"});
}

TEST_CASE("Client: cancel maps each outcome") {
    std::atomic<CancelOutcome> next_outcome{CancelOutcome::cancelled};
    FakeControlPlane fake([&](Message& request) {
        return replies({[&] {
            return Message(CancelReply{request_id(request), next_outcome.load()});
        }});
    });
    Client client(options_for(fake.base_for(kQueryPortOffset)));
    const std::pair<CancelOutcome, CancelResult> cases[] = {
        {CancelOutcome::cancelled, CancelResult::cancelled},
        {CancelOutcome::cancelling, CancelResult::cancelling},
        {CancelOutcome::finished, CancelResult::finished},
        {CancelOutcome::not_found, CancelResult::not_found},
    };
    for (auto [outcome, expected] : cases) {
        next_outcome = outcome;
        CHECK(client.cancel(generate_uuid()) == expected);
    }
}

TEST_CASE("Client: a malformed or unexpected reply is a protocol error") {
    FakeControlPlane fake([](Message& request) {
        // A RECORD answers a CANCEL: well-formed, but not a cancel reply.
        return replies({[&] { return Message(Record{success_record(request_id(request), "1")}); }});
    });
    Client client(options_for(fake.base_for(kQueryPortOffset)));
    try {
        client.cancel(generate_uuid());
        FAIL("cancel accepted a RECORD");
    } catch (const ClientError& error) {
        CHECK(error.kind() == ClientErrorKind::protocol);
        CHECK(std::string(error.what()).find("unexpected RECORD") != std::string::npos);
    }

    // A raw ROUTER that answers every request with a reply whose metadata is wrong.
    zmq::context_t context;
    zmq::socket_t router(context, zmq::socket_type::router);
    router.set(zmq::sockopt::linger, 0);
    router.bind("tcp://127.0.0.1:*");
    int port = bound_port(router);
    std::thread server([&] {
        zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, 5000ms) <= 0) return;
        auto frames = receive_frames(router, kMaxBodyFrames + 1);
        std::string id(static_cast<const char*>((*frames)[3].data()), (*frames)[3].size());
        std::vector<std::string> reply = {"FQ/1", "RECORD", id, "{\"task_id\": 1}", ""};
        Frames out;
        out.push_back(std::move((*frames)[0]));
        for (const auto& part : reply) out.emplace_back(part.data(), part.size());
        (void)zmq::send_multipart(router, out);
    });
    Client raw_client(options_for("tcp://127.0.0.1:" + std::to_string(port - kQueryPortOffset)));
    try {
        raw_client.get(generate_uuid());
        FAIL("get accepted malformed metadata");
    } catch (const ClientError& error) {
        CHECK(error.kind() == ClientErrorKind::protocol);
        CHECK(std::string(error.what()).find("'task_id' must be a string") != std::string::npos);
    }
    server.join();
}

TEST_CASE("Client: get_subworker_status sends WORKERS on the query port and parses the reply") {
    // Two subworkers in the JSON shape of docs/scaling.md, after a late
    // RECORD for another task that must be skipped.
    const std::string status_json = R"({"total_subworkers": 2, "active_subworkers": 1,
        "subworkers": {
          "sw1": {"address": "tcp://127.0.0.1:5561", "status": "active", "load": 2,
                  "capacity": 4, "tasks_completed": 17,
                  "last_seen": "2026-11-27T23:52:33.123456Z"},
          "sw2": {"address": "tcp://127.0.0.1:5565", "status": "inactive", "load": 0,
                  "capacity": 1, "tasks_completed": 0,
                  "last_seen": "2026-11-27T23:50:01.000000Z"}}})";
    FakeControlPlane fake([&](Message& request) {
        if (!std::holds_alternative<WorkersQuery>(request)) return replies({});
        return replies({[] { return Message(Record{success_record(kOtherId, "1")}); },
                        [&] { return Message(WorkersReply{status_json}); }});
    });
    Client client(options_for(fake.base_for(kQueryPortOffset)));
    SubworkerPoolStatus status = client.get_subworker_status();
    CHECK(fake.received_types() == std::vector<std::string>{"WORKERS"});
    CHECK(status.total_subworkers == 2);
    CHECK(status.active_subworkers == 1);
    REQUIRE(status.subworkers.size() == 2);
    const SubworkerInfo& first = status.subworkers.at("sw1");
    CHECK(first.address == "tcp://127.0.0.1:5561");
    CHECK(first.is_active);
    CHECK(first.load == 2);
    CHECK(first.capacity == 4);
    CHECK(first.tasks_completed == 17);
    CHECK(format_timestamp(first.last_seen) == "2026-11-27T23:52:33.123456Z");
    CHECK_FALSE(status.subworkers.at("sw2").is_active);
}

TEST_CASE("Client: get_subworker_status reports bad answers and silence like the other calls") {
    auto kind_of = [](Client& client) {
        try {
            (void)client.get_subworker_status();
        } catch (const ClientError& error) {
            return std::make_pair(error.kind(), std::string(error.what()));
        }
        return std::make_pair(ClientErrorKind::invalid_argument, std::string("no error"));
    };

    SUBCASE("a status that is not the status JSON is a protocol error") {
        FakeControlPlane fake([](Message&) {
            return replies({[] { return Message(WorkersReply{"{\"total_subworkers\": \"x\"}"}); }});
        });
        Client client(options_for(fake.base_for(kQueryPortOffset)));
        auto [kind, message] = kind_of(client);
        CHECK(kind == ClientErrorKind::protocol);
        CHECK(message.rfind("malformed WORKERS_REPLY from tcp://127.0.0.1:" +
                                std::to_string(fake.port()) + ": ",
                            0) == 0);
    }
    SUBCASE("another kind of answer is a protocol error") {
        FakeControlPlane fake([](Message&) {
            return replies({[] { return Message(Error{"", "unknown message type"}); }});
        });
        Client client(options_for(fake.base_for(kQueryPortOffset)));
        auto [kind, message] = kind_of(client);
        CHECK(kind == ClientErrorKind::protocol);
        CHECK(message.find("rejected the WORKERS request: unknown message type") !=
              std::string::npos);
    }
    SUBCASE("no answer is unreachable, naming the query port") {
        int port = unused_port();
        Client client(
            options_for("tcp://127.0.0.1:" + std::to_string(port - kQueryPortOffset), 200ms));
        auto [kind, message] = kind_of(client);
        CHECK(kind == ClientErrorKind::unreachable);
        CHECK(message ==
              "no answer from tcp://127.0.0.1:" + std::to_string(port) + " within 0.2 s");
    }
}

TEST_CASE("Client: bad arguments are refused before anything is sent") {
    CHECK_THROWS_AS(Client(options_for("udp://127.0.0.1:5555")), ClientError);
    CHECK_THROWS_AS(Client(options_for("tcp://*:5555")), ClientError);
    CHECK_THROWS_AS(Client(options_for("tcp://127.0.0.1:65533")), ClientError);
    CHECK_THROWS_AS(Client(options_for("tcp://127.0.0.1:5555", 0ms)), ClientError);

    Client client(options_for("tcp://127.0.0.1:5555", 100ms));
    auto kind_of = [](auto&& call) {
        try {
            call();
        } catch (const ClientError& error) {
            return error.kind();
        }
        return ClientErrorKind::protocol;  // not thrown: the checks below fail
    };
    CHECK(kind_of([&] { client.submit("bad name", "{}"); }) == ClientErrorKind::invalid_argument);
    CHECK(kind_of([&] { client.get("12345"); }) == ClientErrorKind::invalid_argument);
    CHECK(kind_of([&] { client.cancel(""); }) == ClientErrorKind::invalid_argument);
}

TEST_CASE("Client::make_payload: args must be an array and kwargs an object") {
    CHECK(Client::make_payload("[1, \"two\"]", "{\"x\": 3}") ==
          R"({"args":[1,"two"],"kwargs":{"x":3}})");
    CHECK(Client::make_payload("", "") == R"({"args":[],"kwargs":{}})");
    CHECK_THROWS_AS(Client::make_payload("{}", "{}"), ClientError);
    CHECK_THROWS_AS(Client::make_payload("[]", "[]"), ClientError);
    CHECK_THROWS_AS(Client::make_payload("[1,", "{}"), ClientError);
    CHECK_THROWS_AS(Client::make_payload("[]", "nope"), ClientError);
}

TEST_CASE("Client::make_payload: arguments nested more than 1023 deep are refused, not a crash") {
    const auto nested = [](std::size_t depth) {
        return std::string(depth, '[') + std::string(depth, ']');
    };
    const auto message_of = [](const std::function<void()>& call) {
        try {
            call();
        } catch (const ClientError& error) {
            CHECK(error.kind() == ClientErrorKind::invalid_argument);
            return std::string(error.what());
        }
        return std::string("(no error)");
    };
    CHECK(message_of([&] { Client::make_payload(nested(4'000'000), "{}"); }) ==
          "args is nested more than 1023 arrays and objects deep");
    CHECK(message_of([&] { Client::make_payload(nested(1024), "{}"); }) ==
          "args is nested more than 1023 arrays and objects deep");
    CHECK(message_of([&] { Client::make_payload("[]", "{\"a\":" + nested(1023) + "}"); }) ==
          "kwargs is nested more than 1023 arrays and objects deep");
    CHECK(Client::make_payload(nested(1023), "{}") ==
          "{\"args\":" + nested(1023) + ",\"kwargs\":{}}");
}

TEST_CASE("Client: a submission without an acknowledgement is resent with the same task id") {
    std::atomic<int> submits{0};
    FakeControlPlane fake([&](Message& request) {
        auto& submit = std::get<Submit>(request);
        // The first acknowledgement is "lost": nothing is answered.
        if (++submits == 1) return std::vector<Message>{};
        return replies({[&] { return Message(Ack{submit.task_id}); }});
    });
    ClientOptions options = options_for(fake.base_for(static_cast<int>(Priority::normal)));
    options.resend_interval = 100ms;
    Client client(options);
    const std::string task_id = client.submit("add", "{}");
    const auto ids = fake.received_ids();
    REQUIRE(ids.size() == 2);
    CHECK(ids[0] == task_id);
    CHECK(ids[1] == task_id);
}

TEST_CASE("Client: task options go in the SUBMIT; out-of-range options are refused unsent") {
    std::mutex mutex;
    SubmitOptions seen;
    FakeControlPlane fake([&](Message& request) {
        auto& submit = std::get<Submit>(request);
        {
            std::lock_guard lock(mutex);
            seen = submit.options;
        }
        return replies({[&] { return Message(Ack{submit.task_id}); }});
    });
    Client client(options_for(fake.base_for(static_cast<int>(Priority::normal))));
    TaskOptions task_options;
    task_options.task_timeout = 1500ms;
    task_options.max_retries = 4;
    task_options.retry_backoff = 250ms;
    task_options.countdown = 3000ms;
    client.submit("add", "{}", Priority::normal, task_options);
    {
        std::lock_guard lock(mutex);
        CHECK(seen.timeout_ms == 1500);
        CHECK(seen.max_retries == 4);
        CHECK(seen.retry_backoff_ms == 250);
        CHECK(seen.countdown_ms == 3000);
        CHECK(seen.eta == Timestamp{});
    }

    auto kind_of = [&](const TaskOptions& bad) {
        try {
            client.submit("add", "{}", Priority::normal, bad);
        } catch (const ClientError& error) {
            return error.kind();
        }
        return ClientErrorKind::protocol;  // not thrown: the check fails
    };
    TaskOptions too_many;
    too_many.max_retries = 101;
    CHECK(kind_of(too_many) == ClientErrorKind::invalid_argument);
    TaskOptions both;
    both.countdown = 10ms;
    both.eta = Clock::now();
    CHECK(kind_of(both) == ClientErrorKind::invalid_argument);
    TaskOptions negative;
    negative.task_timeout = -1ms;
    CHECK(kind_of(negative) == ClientErrorKind::invalid_argument);
    CHECK(fake.received_ids().size() == 1);
}

// subworker_test.cpp -- Subworker as the control plane sees it over the wire:
// registration and its fields, heartbeats with the load, SUBMIT answered by
// ACK and RESULT naming the subworker, refusal of a duplicate id,
// re-registration (on REREGISTER, on silence, on no answer) and the polite
// stop (DEREGISTER at once, queued and new tasks refused, running ones
// finished).
//
// The control plane is faked by a ROUTER the test drives; tasks are sent by a
// DEALER, as the control plane's dispatcher would. Handlers are registered
// straight into a TaskRegistry. Every wait is a poll with a deadline.
#include "subworker/subworker.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <zmq.hpp>

#include "../plugins/log_capture.hpp"
#include "common/endpoint.hpp"
#include "plugins/task_context.hpp"
#include "plugins/task_registry.hpp"
#include "protocol/codec.hpp"
#include "transport/receive_frames.hpp"

using namespace fastqueue;
using namespace std::chrono_literals;

namespace {

constexpr auto kDeadline = 5s;  // far beyond any healthy wait here

// Lets the test hold "block" handlers until it releases them.
class Gate {
public:
    void release() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            is_open_ = true;
        }
        changed_.notify_all();
    }
    // Waits until `count` handlers have entered wait() (or the deadline);
    // true when they have: a task acknowledged is not yet a task running.
    bool wait_entered(int count) {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_for(lock, kDeadline, [&] { return entered_ >= count; });
    }
    // Waits until released or cancelled (or the deadline); true when released.
    bool wait(const fq_task_context* ctx) {
        std::unique_lock<std::mutex> lock(mutex_);
        ++entered_;
        changed_.notify_all();
        const auto deadline = std::chrono::steady_clock::now() + kDeadline;
        while (!is_open_ && !ctx->is_cancelled() && std::chrono::steady_clock::now() < deadline) {
            changed_.wait_for(lock, 5ms);
        }
        return is_open_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool is_open_ = false;  // guarded by mutex_
    int entered_ = 0;       // guarded by mutex_
};

int echo(fq_task_context* ctx, const std::uint8_t* input, std::size_t size, void*) {
    ctx->set_result(input, size);
    return FQ_OK;
}

int block(fq_task_context* ctx, const std::uint8_t* input, std::size_t size, void* user_data) {
    if (!static_cast<Gate*>(user_data)->wait(ctx)) {
        ctx->set_error("not released");
        return FQ_ERROR;
    }
    ctx->set_result(input, size);
    return FQ_OK;
}

std::string new_task_id(int n) {
    char text[37];
    std::snprintf(text, sizeof(text), "00000000-0000-4000-8000-%012d", n);
    return text;
}

// The control plane's management ROUTER, driven by the test.
class FakeControlPlane {
public:
    FakeControlPlane() : socket_(context_, zmq::socket_type::router) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.bind("tcp://127.0.0.1:*");
        const std::string endpoint = socket_.get(zmq::sockopt::last_endpoint);
        port_ = parse_endpoint(endpoint)->port;
    }
    int port() const { return port_; }

    // The next message of type T from a subworker, skipping others (such as
    // heartbeats) unless T is what they are; std::nullopt at the deadline.
    template <class T>
    std::optional<T> expect(std::chrono::milliseconds timeout = kDeadline) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left <= 0ms) return std::nullopt;
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, left);
            if (!(item.revents & ZMQ_POLLIN)) continue;
            auto frames = receive_frames(socket_, protocol::kMaxBodyFrames + 1);
            if (!frames || frames->size() < 2) continue;
            last_peer_.copy((*frames)[0]);
            protocol::Frames body;
            for (std::size_t i = 1; i < frames->size(); ++i)
                body.push_back(std::move((*frames)[i]));
            auto decoded = protocol::decode(body);
            REQUIRE_MESSAGE(decoded.message.has_value(), "malformed message: ", decoded.error);
            if (auto* message = std::get_if<T>(&*decoded.message)) return std::move(*message);
        }
    }

    // Sends to the peer the last message came from.
    void reply(protocol::Message&& message) { reply_frames(protocol::encode(std::move(message))); }
    void reply_frames(protocol::Frames&& frames) {
        zmq::message_t peer(last_peer_.data(), last_peer_.size());
        socket_.send(peer, zmq::send_flags::sndmore);
        for (std::size_t i = 0; i < frames.size(); ++i) {
            socket_.send(frames[i],
                         i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        }
    }

    // Waits for REGISTER and accepts it.
    protocol::Register accept_registration(std::uint32_t interval_ms = 100,
                                           std::uint32_t liveness = 3) {
        auto registration = expect<protocol::Register>();
        REQUIRE(registration.has_value());
        reply(protocol::Registered{registration->worker_id, interval_ms, liveness});
        return *registration;
    }

private:
    zmq::context_t context_{1};
    zmq::socket_t socket_;
    int port_ = 0;
    zmq::message_t last_peer_;
};

// Sends tasks to a subworker's priority ports, as the control plane does.
class TaskSender {
public:
    TaskSender(const std::string& base_address, int port_offset)
        : socket_(context_, zmq::socket_type::dealer) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.connect(parse_endpoint(base_address)->with_port_offset(port_offset).to_string());
    }
    void submit(const std::string& task_id, const std::string& task_name,
                const std::string& payload) {
        protocol::Submit submit{
            task_id, task_name, true, zmq::message_t(payload.data(), payload.size()), {}};
        send_frames(protocol::encode(std::move(submit)));
    }
    void send_frames(protocol::Frames&& frames) {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            socket_.send(frames[i],
                         i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        }
    }
    // The next message back, or std::nullopt at the deadline.
    std::optional<protocol::Message> receive(std::chrono::milliseconds timeout = kDeadline) {
        zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, timeout);
        if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
        auto frames = receive_frames(socket_, protocol::kMaxBodyFrames);
        if (!frames) return std::nullopt;
        auto decoded = protocol::decode(*frames);
        REQUIRE_MESSAGE(decoded.message.has_value(), "malformed message: ", decoded.error);
        return std::move(*decoded.message);
    }
    template <class T>
    T receive_as() {
        auto message = receive();
        REQUIRE_MESSAGE(message.has_value(), "no answer within the deadline");
        auto* typed = std::get_if<T>(&*message);
        REQUIRE_MESSAGE(typed != nullptr, "unexpected ", protocol::message_type_name(*message));
        return std::move(*typed);
    }

private:
    zmq::context_t context_{1};
    zmq::socket_t socket_;
};

struct SubworkerFixture {
    Gate gate;
    TaskRegistry registry;
    FakeControlPlane control_plane;
    SubworkerSettings settings;
    std::unique_ptr<Subworker> subworker;

    SubworkerFixture() {
        const auto add_task = [this](std::string name, fq_task_handler handler, void* user_data) {
            RegisteredTask task;
            task.name = std::move(name);
            task.handler = handler;
            task.user_data = user_data;
            registry.add(std::move(task));
        };
        add_task("echo", echo, nullptr);
        add_task("block", block, &gate);
        settings.worker_id = "sw-test";
        settings.control_plane_address = "tcp://127.0.0.1:1";
        settings.control_plane_subworker_port = control_plane.port();
        settings.prefetch = 3;
        settings.engine.concurrency = 1;
        // Its handlers are registered in-process, not loaded from plugins.
        settings.engine.isolation = Isolation::thread;
        settings.engine.shutdown_grace_seconds = 2;
    }
    ~SubworkerFixture() {
        gate.release();
        subworker.reset();
    }

    // Starts the subworker on four free consecutive ports.
    void start() {
        std::mt19937 random(std::random_device{}());
        std::uniform_int_distribution<int> ports(20000, 60000);
        for (int attempt = 0; attempt < 50 && !subworker; ++attempt) {
            settings.base_address = "tcp://127.0.0.1:" + std::to_string(ports(random));
            try {
                subworker = std::make_unique<Subworker>(settings, registry);
            } catch (const std::runtime_error&) {
                // A port was taken: try another range.
            }
        }
        REQUIRE(subworker != nullptr);
    }

    bool wait_stopped() {
        const auto deadline = std::chrono::steady_clock::now() + kDeadline;
        while (!subworker->is_stopped() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(10ms);
        }
        return subworker->is_stopped();
    }
};

TEST_CASE("Subworker: registers with its id, address, capacity, prefetch and every task") {
    SubworkerFixture fixture;
    fixture.settings.engine.concurrency = 2;
    fixture.start();
    auto registration = fixture.control_plane.expect<protocol::Register>();
    REQUIRE(registration.has_value());
    CHECK(registration->worker_id == "sw-test");
    CHECK(registration->address == fixture.settings.base_address);
    CHECK(registration->capacity == 2);
    CHECK(registration->prefetch == 3);
    CHECK(registration->task_names == std::vector<std::string>{"block", "echo"});
    CHECK(fixture.subworker->exit_reason() == SubworkerExit::running);
}

TEST_CASE("Subworker: resends REGISTER when the control plane does not answer") {
    SubworkerFixture fixture;
    fixture.start();
    REQUIRE(fixture.control_plane.expect<protocol::Register>().has_value());
    // Unanswered: a new REGISTER follows after the first backoff (250 ms +- jitter).
    CHECK(fixture.control_plane.expect<protocol::Register>(2s).has_value());
}

TEST_CASE("Subworker: a SUBMIT is acknowledged, run, and its RESULT names the subworker") {
    SubworkerFixture fixture;
    fixture.start();
    fixture.control_plane.accept_registration();
    TaskSender sender(fixture.settings.base_address, static_cast<int>(Priority::high));
    const auto before = Clock::now();
    sender.submit(new_task_id(1), "echo", "[1,2]");
    CHECK(sender.receive_as<protocol::Ack>().task_id == new_task_id(1));
    const TaskRecord record = sender.receive_as<protocol::Result>().record;
    CHECK(record.task_id == new_task_id(1));
    CHECK(record.task_name == "echo");
    CHECK(record.state == TaskState::success);
    CHECK(record.result == "[1,2]");
    CHECK(record.worker_id == "sw-test");
    CHECK(record.attempts == 1);
    CHECK(record.priority == Priority::high);
    CHECK(record.submitted_at >= before);
    CHECK(record.started_at >= record.submitted_at);
    CHECK(record.finished_at >= record.started_at);
}

TEST_CASE("Subworker: a duplicate SUBMIT is only acknowledged; an unknown task fails") {
    SubworkerFixture fixture;
    fixture.start();
    fixture.control_plane.accept_registration();
    TaskSender sender(fixture.settings.base_address, static_cast<int>(Priority::normal));
    sender.submit(new_task_id(1), "block", "1");
    CHECK(sender.receive_as<protocol::Ack>().task_id == new_task_id(1));
    sender.submit(new_task_id(1), "block", "1");
    CHECK(sender.receive_as<protocol::Ack>().task_id == new_task_id(1));
    fixture.gate.release();
    CHECK(sender.receive_as<protocol::Result>().record.state == TaskState::success);
    CHECK_FALSE(sender.receive(300ms).has_value());  // one result only

    sender.submit(new_task_id(2), "nope", "{}");
    CHECK(sender.receive_as<protocol::Ack>().task_id == new_task_id(2));
    const TaskRecord record = sender.receive_as<protocol::Result>().record;
    CHECK(record.state == TaskState::failure);
    CHECK(record.error == "unknown task 'nope'");
    CHECK(record.worker_id == "sw-test");
}

TEST_CASE("Subworker: heartbeats carry the load, running plus queued") {
    SubworkerFixture fixture;
    fixture.start();
    fixture.control_plane.accept_registration(50);
    auto idle = fixture.control_plane.expect<protocol::Heartbeat>();
    REQUIRE(idle.has_value());
    CHECK(idle->worker_id == "sw-test");
    CHECK(idle->load == 0);
    // Every heartbeat reports the engine's task process restarts: none yet.
    CHECK(idle->task_process_restarts == std::optional<std::uint32_t>(0));

    TaskSender sender(fixture.settings.base_address, 0);
    sender.submit(new_task_id(1), "block", "1");  // runs (concurrency 1)
    sender.submit(new_task_id(2), "block", "2");  // waits
    bool is_load_seen = false;
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (!is_load_seen && std::chrono::steady_clock::now() < deadline) {
        auto heartbeat = fixture.control_plane.expect<protocol::Heartbeat>(1s);
        is_load_seen = heartbeat && heartbeat->load == 2;
    }
    CHECK(is_load_seen);
}

TEST_CASE("Subworker: REGISTER_REFUSED stops it with the control plane's reason") {
    SubworkerFixture fixture;
    fixture.start();
    REQUIRE(fixture.control_plane.expect<protocol::Register>().has_value());
    fixture.control_plane.reply(
        protocol::RegisterRefused{"sw-test", "worker id 'sw-test' belongs to a live subworker"});
    REQUIRE(fixture.wait_stopped());
    CHECK(fixture.subworker->exit_reason() == SubworkerExit::registration_refused);
    CHECK(fixture.subworker->refusal_reason() == "worker id 'sw-test' belongs to a live subworker");
}

TEST_CASE("Subworker: registers again at once on REREGISTER") {
    SubworkerFixture fixture;
    fixture.start();
    fixture.control_plane.accept_registration(1000);
    fixture.control_plane.reply(protocol::Reregister{"sw-test"});
    // Well before the first heartbeat interval's liveness could run out.
    auto again = fixture.control_plane.expect<protocol::Register>(1s);
    REQUIRE(again.has_value());
    CHECK(again->worker_id == "sw-test");
}

TEST_CASE("Subworker: a silent control plane is counted lost and registration starts again") {
    SubworkerFixture fixture;
    fixture.start();
    fixture.control_plane.accept_registration(50, 2);
    // Heartbeats are never answered: after 2 x 50 ms the subworker registers again.
    CHECK(fixture.control_plane.expect<protocol::Register>(2s).has_value());
}

TEST_CASE(
    "Subworker: request_stop deregisters, refuses queued and new tasks, finishes running ones") {
    SubworkerFixture fixture;
    fixture.start();
    fixture.control_plane.accept_registration();
    TaskSender sender(fixture.settings.base_address, 0);
    sender.submit(new_task_id(1), "block", "1");  // running
    CHECK(sender.receive_as<protocol::Ack>().task_id == new_task_id(1));
    REQUIRE(fixture.gate.wait_entered(1));
    sender.submit(new_task_id(2), "block", "2");  // queued behind it
    CHECK(sender.receive_as<protocol::Ack>().task_id == new_task_id(2));

    fixture.subworker->request_stop();
    auto deregister = fixture.control_plane.expect<protocol::Deregister>();
    REQUIRE(deregister.has_value());
    CHECK(deregister->worker_id == "sw-test");

    const auto refused = sender.receive_as<protocol::Refused>();
    CHECK(refused.task_id == new_task_id(2));
    CHECK(refused.reason == "subworker shutting down");
    sender.submit(new_task_id(3), "echo", "3");  // sent before the control plane knew
    const auto late = sender.receive_as<protocol::Refused>();
    CHECK(late.task_id == new_task_id(3));
    CHECK(late.reason == "subworker shutting down");

    CHECK_FALSE(fixture.subworker->is_stopped());  // task 1 still runs
    fixture.gate.release();
    const TaskRecord record = sender.receive_as<protocol::Result>().record;
    CHECK(record.task_id == new_task_id(1));
    CHECK(record.state == TaskState::success);
    REQUIRE(fixture.wait_stopped());
    CHECK(fixture.subworker->exit_reason() == SubworkerExit::stopped);
    CHECK_FALSE(fixture.subworker->has_abandoned_handlers());
}

// Frames from strings, byte for byte.
protocol::Frames raw_frames(const std::vector<std::string>& texts) {
    protocol::Frames frames;
    for (const auto& text : texts) frames.emplace_back(text.data(), text.size());
    return frames;
}

TEST_CASE(
    "Subworker: each bad message is answered ERROR, counted in stats() and logged once with peer, "
    "port and reason") {
    testing::LogCapture log;
    SubworkerFixture fixture;
    fixture.start();
    fixture.control_plane.accept_registration();
    CHECK(fixture.subworker->stats().messages_rejected == 0);
    TaskSender sender(fixture.settings.base_address, 1);
    const std::string port_address =
        parse_endpoint(fixture.settings.base_address)->with_port_offset(1).to_string();

    sender.send_frames(raw_frames({"garbage", std::string(3, '\0')}));
    CHECK(sender.receive_as<protocol::Error>().message == "not a FastQueue message");
    sender.send_frames(raw_frames({"FQ/1", "ACK", new_task_id(7)}));
    const auto wrong_kind = sender.receive_as<protocol::Error>();
    CHECK(wrong_kind.task_id == new_task_id(7));
    CHECK(wrong_kind.message == "only SUBMIT and CANCEL are accepted on a subworker's task port");
    // From the control plane: dropped, counted and logged the same way.
    fixture.control_plane.reply_frames(raw_frames({"FQ/1", "HEARTBEAT", "sw-test", "-1"}));
    // The count goes up just before the line is written: wait for both.
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while ((fixture.subworker->stats().messages_rejected < 3 ||
            !log.contains("rejected message #3")) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    CHECK(fixture.subworker->stats().messages_rejected == 3);

    const int first = log.find("rejected message #1 from peer ");
    REQUIRE(first >= 0);
    const auto lines = log.lines();
    CHECK(lines[first].find("warning rejected message #1 from peer ") == 0);
    CHECK(lines[first].find("(127.0.0.1) on " + port_address + ": not a FastQueue message") !=
          std::string::npos);
    CHECK(log.contains("rejected message #2 from peer "));
    CHECK(log.contains(" on " + port_address +
                       ": only SUBMIT and CANCEL are accepted on a subworker's task port"));
    CHECK(log.contains("rejected message #3 from the control plane on tcp://127.0.0.1:" +
                       std::to_string(fixture.control_plane.port()) + ": load '-1'"));
    CHECK_FALSE(log.contains("rejected message #4"));
}

TEST_CASE("Subworker: a port that is taken is an error naming the address") {
    SubworkerFixture fixture;
    fixture.start();
    SubworkerSettings second = fixture.settings;
    second.worker_id = "sw-second";
    try {
        Subworker clash(second, fixture.registry);
        FAIL("constructed on a taken port");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()).find(fixture.settings.base_address) != std::string::npos);
    }
}

}  // namespace

// subworker_registry_test.cpp -- the control plane's table of subworkers is
// bounded and takes nothing on trust. REGISTERs sent over the wire with
// addresses nobody should connect to (malformed, unspecified, multicast, the
// control plane's own ports) or invalid worker ids are refused with a
// reason and change nothing. With --max-subworkers 4, a fifth subworker is
// refused while all four are active, takes the place of the inactive one
// silent longest otherwise, and inactive subworkers are forgotten after
// --inactive-subworker-ttl (a forgotten one that heartbeats is told to
// register again). `fastqueue workers` answers at every step.
#include <doctest/doctest.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/endpoint.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr auto kTimeout = 10s;

std::vector<std::string> register_frames(const std::string& worker_id, const std::string& address) {
    return {"FQ/1", "REGISTER", worker_id, address, "1", "0", "[]"};
}

// The next reply on `client` that is not one of the control plane's own
// HEARTBEATs; std::nullopt when none came within the timeout.
std::optional<protocol::Message> next_reply(WireClient& client) {
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    for (int i = 0; i < 1000 && std::chrono::steady_clock::now() < deadline; ++i) {
        auto reply = client.receive(100ms);
        if (!reply) continue;
        if (!reply->message) return protocol::Error{"", reply->error};
        if (std::holds_alternative<protocol::Heartbeat>(*reply->message)) continue;
        return std::move(*reply->message);
    }
    return std::nullopt;
}

// Sends a REGISTER and returns the control plane's answer as "REGISTERED",
// "REGISTER_REFUSED: reason", "ERROR: reason" or "" (no answer).
std::string register_over_wire(WireClient& client, const std::string& worker_id,
                               const std::string& address) {
    client.send_raw(register_frames(worker_id, address));
    const auto reply = next_reply(client);
    if (!reply) return "";
    if (std::holds_alternative<protocol::Registered>(*reply)) return "REGISTERED";
    if (const auto* refused = std::get_if<protocol::RegisterRefused>(&*reply)) {
        return "REGISTER_REFUSED: " + refused->reason;
    }
    if (const auto* error = std::get_if<protocol::Error>(&*reply))
        return "ERROR: " + error->message;
    return std::string(protocol::message_type_name(*reply));
}

std::string management_address(const ControlPlaneProcess& control_plane) {
    return loopback_address(control_plane.base_port() + kSubworkerPortOffset);
}

// `fastqueue workers` as a user runs it: exit status 0 and the totals line.
void check_workers_command_answers(const ControlPlaneProcess& control_plane,
                                   const std::string& totals_line) {
    const RunResult run = control_plane.cli({"workers"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(contains(run.stdout_text, totals_line));
}

// Subworkers played over the wire: one DEALER each on the management port,
// registered with an address on ports nothing listens on (they run no task,
// so nothing connects there). A thread of its own heartbeats the ones marked
// alive every 50 ms, so that they stay active however long the test's own
// steps (a CLI run) take.
class WireSubworkers {
public:
    explicit WireSubworkers(const ControlPlaneProcess& control_plane)
        : control_plane_(control_plane), heartbeats_([this] { heartbeat_until_stopped(); }) {}
    ~WireSubworkers() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            is_stopping_ = true;
        }
        stop_.notify_all();
        heartbeats_.join();
    }
    WireSubworkers(const WireSubworkers&) = delete;
    WireSubworkers& operator=(const WireSubworkers&) = delete;

    // Registers worker_id (see register_over_wire for the answer); it is
    // heartbeated from then on when it was accepted.
    std::string join(const std::string& worker_id) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& client = clients_[worker_id];
        if (!client) client = std::make_unique<WireClient>(management_address(control_plane_));
        auto& port = ports_[worker_id];
        if (port == 0) port = find_free_port_block(4);
        const std::string answer = register_over_wire(*client, worker_id, loopback_address(port));
        if (answer == "REGISTERED") alive_.insert(worker_id);
        return answer;
    }

    // Stops heartbeating worker_id.
    void fall_silent(const std::string& worker_id) {
        std::lock_guard<std::mutex> lock(mutex_);
        alive_.erase(worker_id);
    }

    // Sends one HEARTBEAT for worker_id and returns the type of the first
    // reply that is not a HEARTBEAT ("" when none came).
    std::string heartbeat_answer(const std::string& worker_id) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& client = *clients_.at(worker_id);
        while (client.receive(0ms)) {
        }
        client.send_raw({"FQ/1", "HEARTBEAT", worker_id, "0"});
        const auto reply = next_reply(client);
        return reply ? std::string(protocol::message_type_name(*reply)) : "";
    }

private:
    void heartbeat_until_stopped() {
        std::unique_lock<std::mutex> lock(mutex_);
        // Bounded: 12,000 rounds of 50 ms are ten minutes, longer than the
        // test may run.
        for (int round = 0; round < 12000 && !is_stopping_; ++round) {
            for (const auto& id : alive_) {
                clients_.at(id)->send_raw({"FQ/1", "HEARTBEAT", id, "0"});
                while (clients_.at(id)->receive(0ms)) {
                }
            }
            stop_.wait_for(lock, 50ms, [this] { return is_stopping_; });
        }
    }

    const ControlPlaneProcess& control_plane_;
    std::mutex mutex_;
    std::condition_variable stop_;
    bool is_stopping_ = false;                                    // guarded by mutex_
    std::map<std::string, std::unique_ptr<WireClient>> clients_;  // guarded by mutex_
    std::map<std::string, int> ports_;                            // guarded by mutex_
    std::set<std::string> alive_;                                 // guarded by mutex_
    std::thread heartbeats_;  // last: started once the members above exist
};

// The control plane's listing, polled until `is_wanted` accepts it; the last
// one read otherwise.
template <typename IsWanted>
std::optional<SubworkerPoolStatus> wait_for_status(const ControlPlaneProcess& control_plane,
                                                   IsWanted is_wanted) {
    std::optional<SubworkerPoolStatus> status;
    poll_until(
        [&] {
            status = try_subworker_status(control_plane);
            return status && is_wanted(*status);
        },
        kTimeout, 50ms);
    return status;
}

}  // namespace

TEST_CASE(
    "subworker registry: addresses nobody may connect to and invalid worker ids are refused with "
    "a reason") {
    ControlPlaneProcess control_plane;
    WireClient client(management_address(control_plane));
    const int base = control_plane.base_port();
    const std::string free = std::to_string(find_free_port_block(4));

    struct Case {
        std::string worker_id;
        std::string address;
        std::string answer;  // how the reply starts, then words it contains
        std::string reason_part;
    };
    const std::vector<Case> cases = {
        {"sw1", "tcp://[:::::]:43900", "ERROR", "invalid address 'tcp://[:::::]:43900'"},
        {"sw1", "tcp://256.1.1.1:" + free, "ERROR", "invalid address"},
        {"sw1", "tcp://-bad-.example:" + free, "ERROR", "invalid address"},
        {"sw1", "tcp://0.0.0.0:" + free, "ERROR", "unspecified address 0.0.0.0"},
        {"sw1", "tcp://[::]:" + free, "ERROR", "unspecified address [::]"},
        {"sw1", "tcp://224.0.0.1:" + free, "ERROR", "multicast"},
        {"sw1", "tcp://*:" + free, "ERROR", "wildcard host"},
        // The control plane's own ports, under any name of its host.
        {"sw1", loopback_address(base), "REGISTER_REFUSED", "control plane's own base+0"},
        {"sw1", "tcp://localhost:" + std::to_string(base + 2), "REGISTER_REFUSED",
         "control plane's own base+2"},
        {"sw1", "tcp://127.0.0.1:" + std::to_string(base + 5), "REGISTER_REFUSED",
         "control plane's own subworker management port"},
        {"sw1", "tcp://[::1]:" + std::to_string(base + 6), "REGISTER_REFUSED",
         "control plane's own discovery port"},
        // Worker ids: the task-name rule.
        {std::string(129, 'w'), loopback_address(std::stoi(free)), "ERROR", "invalid worker id"},
        {"bad id", loopback_address(std::stoi(free)), "ERROR", "invalid worker id"},
        {"", loopback_address(std::stoi(free)), "ERROR", "invalid worker id"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.worker_id);
        CAPTURE(c.address);
        const std::string answer = register_over_wire(client, c.worker_id, c.address);
        CHECK(answer.rfind(c.answer + ": ", 0) == 0);
        CHECK(contains(answer, c.reason_part));
    }

    // Nothing was registered, every refusal was counted, and the control
    // plane still serves.
    const auto status = try_subworker_status(control_plane);
    REQUIRE(status);
    CHECK(status->total_subworkers == 0);
    CHECK(status->messages_rejected.value_or(0) == cases.size());
    check_workers_command_answers(control_plane, "0 subworkers, 0 active");
    Client user(control_plane.client_options());
    CHECK(user.submit_and_wait("echo", echo_payload("still serving")).state == TaskState::success);
    CHECK(control_plane.process().is_running());

    // A good address and id are accepted.
    CHECK(register_over_wire(client, "sw1", loopback_address(std::stoi(free))) == "REGISTERED");
}

TEST_CASE(
    "subworker registry: --max-subworkers bounds the table; inactive subworkers make room and are "
    "forgotten after --inactive-subworker-ttl") {
    ControlPlaneProcess control_plane({"--max-subworkers", "4", "--inactive-subworker-ttl", "1",
                                       "--heartbeat-interval", "0.1", "--heartbeat-liveness", "5"});
    WireSubworkers subworkers(control_plane);
    for (const char* id : {"sw0", "sw1", "sw2", "sw3"})
        REQUIRE(subworkers.join(id) == "REGISTERED");

    // Full, all active: a fifth is refused with the flag and its value.
    const std::string refused = subworkers.join("sw4");
    CHECK(refused.rfind("REGISTER_REFUSED: ", 0) == 0);
    CHECK(contains(refused, "--max-subworkers 4"));
    check_workers_command_answers(control_plane, "4 subworkers, 4 active");

    // sw0 falls silent and becomes inactive; the newcomer takes its place.
    subworkers.fall_silent("sw0");
    auto status = wait_for_status(control_plane, [](const auto& s) {
        return s.subworkers.count("sw0") == 1 && !s.subworkers.at("sw0").is_active;
    });
    REQUIRE(status);
    REQUIRE(status->subworkers.count("sw0") == 1);
    REQUIRE_FALSE(status->subworkers.at("sw0").is_active);
    CHECK(subworkers.join("sw4") == "REGISTERED");
    status = try_subworker_status(control_plane);
    REQUIRE(status);
    CHECK(status->total_subworkers == 4);
    CHECK(status->active_subworkers == 4);
    CHECK(status->subworkers.count("sw0") == 0);
    check_workers_command_answers(control_plane, "4 subworkers, 4 active");

    // Forgotten, sw0 is told to register again when it heartbeats; it is
    // refused now, since the four in the table are active.
    CHECK(subworkers.heartbeat_answer("sw0") == "REREGISTER");
    CHECK(contains(subworkers.join("sw0"), "--max-subworkers 4"));

    // sw1 falls silent: inactive, then forgotten after the TTL (1 s), with
    // nobody asking for its place.
    subworkers.fall_silent("sw1");
    status = wait_for_status(control_plane, [](const auto& s) {
        return s.subworkers.count("sw1") == 1 && !s.subworkers.at("sw1").is_active;
    });
    REQUIRE(status);
    CHECK(status->total_subworkers == 4);
    CHECK(status->active_subworkers == 3);
    status = wait_for_status(control_plane,
                             [](const auto& s) { return s.subworkers.count("sw1") == 0; });
    REQUIRE(status);
    CHECK(status->subworkers.count("sw1") == 0);
    CHECK(status->total_subworkers == 3);
    CHECK(status->active_subworkers == 3);
    check_workers_command_answers(control_plane, "3 subworkers, 3 active");
    CHECK(subworkers.heartbeat_answer("sw1") == "REREGISTER");

    // Its place is free: sw0 registers without displacing anyone.
    CHECK(subworkers.join("sw0") == "REGISTERED");
    status = try_subworker_status(control_plane);
    REQUIRE(status);
    CHECK(status->total_subworkers == 4);
    CHECK(status->active_subworkers == 4);
    CHECK(control_plane.process().is_running());
}

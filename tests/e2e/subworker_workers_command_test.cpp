// subworker_workers_command_test.cpp -- the control plane's view of its
// subworkers: `fastqueue workers --json` prints total_subworkers,
// active_subworkers and, per worker id, address, status, load, capacity,
// tasks_completed and last_seen (UTC ISO-8601); the plain form names each
// subworker; Client::get_subworker_status() gives the same view; a subworker
// killed with SIGKILL turns inactive.
#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// workers_json(), which must succeed.
nlohmann::json workers_view(const ControlPlaneProcess& control_plane) {
    std::string run;
    auto view = workers_json(control_plane, &run);
    INFO(run);
    REQUIRE_FALSE(view.is_discarded());
    return view;
}

}  // namespace

TEST_CASE("workers --json: every field of every subworker") {
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "3"});
    SubworkerProcess sw2(control_plane, "sw2", {"--concurrency", "1", "--prefetch", "0"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    REQUIRE_MESSAGE(sw2.wait_until_registered(), sw2.describe());

    Client client(control_plane.client_options());
    std::vector<std::string> task_ids;
    for (int i = 0; i < 6; ++i) task_ids.push_back(client.submit("echo", echo_payload("x")));
    const auto records = wait_for_all_finished(control_plane.client_options(), task_ids, 15s);
    INFO(describe_unsuccessful(records));
    for (const auto& record : records) REQUIRE(record.state == TaskState::success);

    // tasks_completed counts the results the control plane has taken in.
    nlohmann::json view;
    const bool has_counted = poll_until(
        [&] {
            view = workers_view(control_plane);
            const auto& subworkers = view.value("subworkers", nlohmann::json::object());
            std::uint64_t completed = 0;
            for (const auto& [id, info] : subworkers.items()) {
                if (info.contains("tasks_completed") &&
                    info["tasks_completed"].is_number_unsigned()) {
                    completed += info["tasks_completed"].get<std::uint64_t>();
                }
            }
            return completed == task_ids.size();
        },
        10s, 100ms);
    INFO(view.dump(2));
    CHECK(has_counted);

    CHECK(view["total_subworkers"] == 2);
    CHECK(view["active_subworkers"] == 2);
    REQUIRE(view["subworkers"].is_object());
    CHECK(view["subworkers"].size() == 2);
    for (auto* subworker : {&sw1, &sw2}) {
        INFO(subworker->worker_id());
        REQUIRE(view["subworkers"].contains(subworker->worker_id()));
        const auto& info = view["subworkers"][subworker->worker_id()];
        CHECK(info["address"] == subworker->address());
        CHECK(info["status"] == "active");
        CHECK(info["load"].is_number_unsigned());
        CHECK(info["capacity"].is_number_unsigned());
        CHECK(info["tasks_completed"].is_number_unsigned());
        REQUIRE(info["last_seen"].is_string());
        CHECK(is_iso_timestamp(info["last_seen"].get<std::string>()));
    }
    CHECK(view["subworkers"]["sw1"]["capacity"] == 3);
    CHECK(view["subworkers"]["sw2"]["capacity"] == 1);
    // The prefetch window: sw1 has run `echo`, which takes far less than a
    // millisecond, so its window has opened past the initial 2 (3 handlers x
    // 10 ms of budget) up to at most its default --prefetch (64); sw2's
    // --prefetch 0 keeps it at 0.
    REQUIRE(view["subworkers"]["sw1"]["tasks_completed"].get<std::uint64_t>() >= 1);
    REQUIRE(view["subworkers"]["sw1"]["prefetch_window"].is_number_unsigned());
    CHECK(view["subworkers"]["sw1"]["prefetch_window"].get<std::uint64_t>() > 2);
    CHECK(view["subworkers"]["sw1"]["prefetch_window"].get<std::uint64_t>() <= 64);
    CHECK(view["subworkers"]["sw2"]["prefetch_window"] == 0);
    // Nothing is in flight any more.
    CHECK(view["subworkers"]["sw1"]["load"] == 0);
    CHECK(view["subworkers"]["sw2"]["load"] == 0);

    // The C++ API gives the same view.
    const auto status = client.get_subworker_status();
    CHECK(status.total_subworkers == 2);
    CHECK(status.active_subworkers == 2);
    REQUIRE(status.subworkers.count("sw1") == 1);
    CHECK(status.subworkers.at("sw1").address == sw1.address());
    CHECK(status.subworkers.at("sw1").capacity == 3);
    CHECK(status.subworkers.at("sw1").is_active);
    REQUIRE(status.subworkers.count("sw2") == 1);
    CHECK(status.subworkers.at("sw2").prefetch_window == std::optional<std::uint32_t>(0));
}

TEST_CASE("workers --json: load counts a running task") {
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "2", "--prefetch", "0"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    Client client(control_plane.client_options());
    const std::string task_id = client.submit("sleep", sleep_payload(1.5));
    REQUIRE(wait_for_state(control_plane.client_options(), task_id, TaskState::running, 10s));

    const auto view = workers_view(control_plane);
    INFO(view.dump(2));
    const auto record = client.get(task_id);
    REQUIRE_MESSAGE((record && record->state == TaskState::running),
                    "setup: the sleep ended too soon");
    CHECK(view["subworkers"]["sw1"]["load"] == 1);
}

TEST_CASE("workers: a killed subworker turns inactive; the plain form names every subworker") {
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess sw1(control_plane, "sw1");
    SubworkerProcess sw2(control_plane, "sw2");
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());
    REQUIRE_MESSAGE(sw2.wait_until_registered(), sw2.describe());

    {
        const auto run = control_plane.cli({"workers"});
        INFO(run.describe());
        CHECK(run.exit_code == 0);
        CHECK(contains(run.stdout_text, "sw1"));
        CHECK(contains(run.stdout_text, "sw2"));
    }

    sw2.process().expect_exit_code(128 + SIGKILL);
    sw2.process().send_signal(SIGKILL);
    REQUIRE(sw2.process().wait_for_exit(10s));
    nlohmann::json view;
    const bool is_inactive = poll_until(
        [&] {
            view = workers_view(control_plane);
            return view["active_subworkers"] == 1;
        },
        10s, 100ms);
    INFO(view.dump(2));
    REQUIRE(is_inactive);
    CHECK(view["subworkers"]["sw1"]["status"] == "active");
    // A silent subworker stays listed, as inactive.
    CHECK(view["total_subworkers"] == 2);
    REQUIRE(view["subworkers"].contains("sw2"));
    CHECK(view["subworkers"]["sw2"]["status"] == "inactive");
}

// task_process_restarts_test.cpp -- `fastqueue workers` shows how often each
// role started a task process (executor) again after one died: a task that
// aborts in a subworker (fq_test_crash's `crash`) fails alone, the subworker
// stays registered and serving, and its restart count reaches 1 in
// `fastqueue workers --json` and in the plain table; the control plane, which
// ran nothing, reports itself with 0; a crash in the control plane's own
// executor is counted in its own line.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// The plain table's row for worker_id, split into its cells; empty when the
// table has no such row.
std::vector<std::string> table_row(const std::string& table, const std::string& worker_id) {
    std::istringstream lines(table);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::vector<std::string> cells;
        std::string cell;
        while (words >> cell) cells.push_back(cell);
        if (!cells.empty() && cells.front() == worker_id) return cells;
    }
    return {};
}

}  // namespace

TEST_CASE(
    "task process restarts: a task that aborts in a subworker fails alone, and `fastqueue "
    "workers` shows the subworker's restart") {
    // The control plane does not load fq_test_crash, so `crash` can only run
    // on the subworker, which keeps it and the others in executor processes.
    ControlPlaneProcess control_plane({"--heartbeat-interval", "0.2", "--heartbeat-liveness", "3"});
    SubworkerProcess sw1(control_plane, "sw1", {"--concurrency", "1", "--prefetch", "0"},
                         {"fq_test_crash"});
    REQUIRE_MESSAGE(sw1.wait_until_registered(), sw1.describe());

    std::string run;
    nlohmann::json view = workers_json(control_plane, &run);
    INFO(run);
    REQUIRE_FALSE(view.is_discarded());
    CHECK(view["subworkers"]["sw1"]["task_process_restarts"] == 0);

    Client client(control_plane.client_options());
    const std::string crash_id = client.submit("crash", "{}");
    const auto crash = wait_for_finished_record(control_plane.client_options(), crash_id, 30s);
    INFO("subworker: " << sw1.describe());
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    REQUIRE(crash);
    CHECK(crash->state == TaskState::failure);
    CHECK(crash->error == "task process died: signal 6 (SIGABRT)");
    CHECK(crash->attempts == 1);
    CHECK(crash->worker_id == "sw1");

    // The executor is started again; the next heartbeat carries the count.
    const bool is_counted = poll_until(
        [&] {
            view = workers_json(control_plane, &run);
            return !view.is_discarded() &&
                   view["subworkers"]["sw1"].value("task_process_restarts", 0) == 1;
        },
        15s, 100ms);
    INFO(view.dump(2));
    REQUIRE_FALSE(view.is_discarded());
    CHECK(is_counted);
    // The subworker survived its task and stays registered.
    CHECK(sw1.process().is_running());
    CHECK(view["subworkers"]["sw1"]["status"] == "active");
    CHECK(view["active_subworkers"] == 1);
    // The control plane reports itself beside its subworkers: it ran nothing.
    REQUIRE(view["control_plane"].is_object());
    CHECK(view["control_plane"]["worker_id"] == "control-plane");
    CHECK(view["control_plane"]["task_process_restarts"] == 0);

    // The plain form: a RESTARTS column, and a line for the control plane.
    const auto table = control_plane.cli({"workers"});
    INFO(table.describe());
    REQUIRE(table.exit_code == 0);
    const auto header = table_row(table.stdout_text, "ID");
    const auto row = table_row(table.stdout_text, "sw1");
    const auto column = std::find(header.begin(), header.end(), "RESTARTS");
    REQUIRE(column != header.end());
    // The header's cells and the row's line up up to "LAST SEEN" (two words).
    const auto index = static_cast<std::size_t>(column - header.begin());
    REQUIRE(row.size() > index);
    CHECK(row[index] == "1");
    CHECK(contains(table.stdout_text, "control plane control-plane: concurrency"));
    CHECK(contains(table.stdout_text, ", 0 task process restart(s)"));

    // The slot was refilled: the subworker still runs tasks, once each.
    const auto after = client.submit_and_wait("echo", echo_payload("still here"));
    CHECK(after.state == TaskState::success);
    CHECK(after.worker_id == "sw1");
    CHECK(after.attempts == 1);
}

TEST_CASE(
    "task process restarts: a task that aborts in the control plane's own executor shows in its "
    "`control_plane` line") {
    ControlPlaneProcess control_plane({"--concurrency", "1"}, {}, {"fq_test_crash"});
    Client client(control_plane.client_options());
    const std::string crash_id = client.submit("crash", "{}");
    const auto crash = wait_for_finished_record(control_plane.client_options(), crash_id, 30s);
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    REQUIRE(crash);
    CHECK(crash->error == "task process died: signal 6 (SIGABRT)");
    CHECK(crash->worker_id == "control-plane");

    std::string run;
    nlohmann::json view;
    const bool is_counted = poll_until(
        [&] {
            view = workers_json(control_plane, &run);
            return !view.is_discarded() &&
                   view["control_plane"].value("task_process_restarts", 0) == 1;
        },
        15s, 100ms);
    INFO(run);
    CHECK(is_counted);
    CHECK(view["control_plane"]["concurrency"] == 1);
    CHECK(view["total_subworkers"] == 0);

    const auto table = control_plane.cli({"workers"});
    INFO(table.describe());
    CHECK(contains(table.stdout_text,
                   "control plane control-plane: concurrency 1, 1 task process restart(s)"));
    CHECK(control_plane.process().is_running());
}

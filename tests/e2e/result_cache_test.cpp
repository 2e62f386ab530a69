// result_cache_test.cpp -- the control plane's result cache as a user sees it
// through `fastqueue status`: least-recently-used eviction at
// --result-cache-size where reading a record counts as a use, expiry after
// --result-cache-ttl seconds (long before the minute-long sweep), and the
// current state of a task that is still queued or running.
#include <doctest/doctest.h>

#include <string>

#include "harness/control_plane_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// Runs echo(value) to completion through the CLI and returns the task id.
std::string run_echo(const ControlPlaneProcess& control_plane, const std::string& value) {
    const auto run = control_plane.cli(
        {"submit", "--task-name", "echo", "--args", value, "--json"});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    return parse_json(run.stdout_text).value("task_id", "");
}

int status_exit_code(const ControlPlaneProcess& control_plane, const std::string& task_id) {
    return control_plane.cli({"status", "--task-id", task_id}).exit_code;
}

}  // namespace

TEST_CASE("result cache: at the size limit the least recently used record is evicted") {
    ControlPlaneProcess control_plane({"--result-cache-size", "3"});
    const std::string a = run_echo(control_plane, "a");
    const std::string b = run_echo(control_plane, "b");
    const std::string c = run_echo(control_plane, "c");
    const std::string d = run_echo(control_plane, "d");

    CHECK(status_exit_code(control_plane, a) == 1);
    CHECK(status_exit_code(control_plane, b) == 0);
    CHECK(status_exit_code(control_plane, c) == 0);
    CHECK(status_exit_code(control_plane, d) == 0);
}

TEST_CASE("result cache: reading a record with status counts as a use and saves it from eviction") {
    ControlPlaneProcess control_plane({"--result-cache-size", "3"});
    const std::string a = run_echo(control_plane, "a");
    const std::string b = run_echo(control_plane, "b");
    const std::string c = run_echo(control_plane, "c");
    // a is the oldest, but reading it makes b the least recently used.
    REQUIRE(status_exit_code(control_plane, a) == 0);
    const std::string d = run_echo(control_plane, "d");

    CHECK(status_exit_code(control_plane, b) == 1);
    const auto status = control_plane.cli({"status", "--task-id", a, "--json"});
    INFO(status.describe());
    CHECK(status.exit_code == 0);
    CHECK(parse_json(status.stdout_text)["result"] == "a");
    CHECK(status_exit_code(control_plane, c) == 0);
    CHECK(status_exit_code(control_plane, d) == 0);
}

TEST_CASE("result cache: a record expires after --result-cache-ttl seconds, before any sweep") {
    ControlPlaneProcess control_plane({"--result-cache-ttl", "1"});
    const std::string task_id = run_echo(control_plane, "short-lived");
    // Found while fresh...
    const auto fresh = control_plane.cli({"status", "--task-id", task_id, "--json"});
    INFO(fresh.describe());
    CHECK(fresh.exit_code == 0);
    CHECK(parse_json(fresh.stdout_text)["result"] == "short-lived");
    // ...and gone after the TTL. The periodic sweep runs once a minute, so a
    // record gone within 10 s was refused for being expired, not swept.
    const bool is_gone = poll_until(
        [&] {
            Client client(control_plane.client_options());
            return !client.get(task_id).has_value();
        },
        10s, 100ms);
    CHECK(is_gone);
    CHECK(status_exit_code(control_plane, task_id) == 1);
}

TEST_CASE("result cache: status of a running task answers running, of a queued task answers queued") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());
    const std::string running = client.submit("sleep", Client::make_payload("[1.0]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), running, TaskState::running, 10s));
    const std::string queued = client.submit("echo", Client::make_payload(R"(["later"])", "{}"));

    const auto queued_status = control_plane.cli({"status", "--task-id", queued, "--json"});
    const auto running_status = control_plane.cli({"status", "--task-id", running, "--json"});
    const auto still_running = client.get(running);
    REQUIRE_MESSAGE((still_running && still_running->state == TaskState::running),
                    "setup: the sleep ended before both status calls were made");

    INFO(queued_status.describe() << "\n" << running_status.describe());
    REQUIRE(queued_status.exit_code == 0);
    REQUIRE(running_status.exit_code == 0);
    const auto queued_json = parse_json(queued_status.stdout_text);
    CHECK(queued_json["status"] == "queued");
    CHECK(queued_json["task_name"] == "echo");
    CHECK(queued_json["started_at"].is_null());
    CHECK(queued_json["finished_at"].is_null());
    CHECK(queued_json["result"].is_null());
    CHECK(is_iso_timestamp(queued_json.value("submitted_at", "")));

    const auto running_json = parse_json(running_status.stdout_text);
    CHECK(running_json["status"] == "running");
    CHECK(running_json["task_name"] == "sleep");
    CHECK(is_iso_timestamp(running_json.value("started_at", "")));
    CHECK(running_json["finished_at"].is_null());
    CHECK(running_json["attempts"] == 1);

    // Both then finish normally.
    const auto slept = wait_for_finished_record(control_plane.client_options(), running, 15s);
    const auto echoed = wait_for_finished_record(control_plane.client_options(), queued, 15s);
    REQUIRE(slept);
    REQUIRE(echoed);
    CHECK(slept->state == TaskState::success);
    CHECK(echoed->state == TaskState::success);
    CHECK(echoed->result == R"("later")");
}

// result_cache_test.cpp -- the control plane's result cache as a user sees it
// through `fastqueue status`: least-recently-used eviction at
// --result-cache-size where reading a record counts as a use, eviction at
// --result-cache-bytes (old big results go, recent ones stay, a result larger
// than the whole budget reaches its submitter but is not kept), expiry after
// --result-cache-ttl seconds (long before the minute-long sweep), and the
// current state of a task that is still queued or running, also while the
// cache evicts around it.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// Runs echo(value) to completion through the CLI and returns the task id.
std::string run_echo(const ControlPlaneProcess& control_plane, const std::string& value) {
    const auto run =
        control_plane.cli({"submit", "--task-name", "echo", "--args", value, "--json"});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    return parse_json(run.stdout_text).value("task_id", "");
}

int status_exit_code(const ControlPlaneProcess& control_plane, const std::string& task_id) {
    return control_plane.cli({"status", "--task-id", task_id}).exit_code;
}

// The byte budget of the tests below. A record is charged its result, error,
// id, task name and worker id bytes plus 256 (docs/operations.md), so an echo
// of 6000 characters (a 6002-byte JSON string) costs 6311 bytes: three fit in
// 20000, a fourth does not.
const std::string kCacheBytes = "20000";
constexpr std::size_t kBigEchoChars = 6000;

// Runs echo of kBigEchoChars copies of `fill` to success; returns the task id.
std::string run_big_echo(Client& client, char fill) {
    const std::string value(kBigEchoChars, fill);
    const TaskRecord record =
        client.submit_and_wait("echo", Client::make_payload("[\"" + value + "\"]", "{}"));
    REQUIRE(record.state == TaskState::success);
    REQUIRE(record.result == "\"" + value + "\"");
    return record.task_id;
}

// A sleep of `sleep_seconds` running on the only handler thread (the control
// plane runs with --concurrency 1) and an echo of "later" queued behind it.
struct RunningAndQueued {
    std::string running;
    std::string queued;
};

RunningAndQueued start_running_and_queued(const ControlPlaneProcess& control_plane, Client& client,
                                          const std::string& sleep_seconds) {
    RunningAndQueued tasks;
    tasks.running = client.submit("sleep", Client::make_payload("[" + sleep_seconds + "]", "{}"));
    REQUIRE(wait_for_state(control_plane.client_options(), tasks.running, TaskState::running, 10s));
    tasks.queued = client.submit("echo", Client::make_payload(R"(["later"])", "{}"));
    return tasks;
}

// `fastqueue status --json` of both tasks, read while the sleep still runs;
// a sleep that ended first fails the setup, not the behaviour under test.
struct LiveStatuses {
    nlohmann::json queued;
    nlohmann::json running;
};

LiveStatuses read_live_statuses(const ControlPlaneProcess& control_plane, Client& client,
                                const RunningAndQueued& tasks) {
    const auto queued_status = control_plane.cli({"status", "--task-id", tasks.queued, "--json"});
    const auto running_status = control_plane.cli({"status", "--task-id", tasks.running, "--json"});
    const auto still_running = client.get(tasks.running);
    REQUIRE_MESSAGE((still_running && still_running->state == TaskState::running),
                    "setup: the sleep ended before both status calls were made");
    INFO(queued_status.describe() << "\n" << running_status.describe());
    REQUIRE(queued_status.exit_code == 0);
    REQUIRE(running_status.exit_code == 0);
    return {parse_json(queued_status.stdout_text), parse_json(running_status.stdout_text)};
}

// Both tasks finish normally and are read back from the cache.
void check_both_finish(const ControlPlaneProcess& control_plane, const RunningAndQueued& tasks) {
    const auto slept = wait_for_finished_record(control_plane.client_options(), tasks.running, 15s);
    const auto echoed = wait_for_finished_record(control_plane.client_options(), tasks.queued, 15s);
    REQUIRE(slept);
    REQUIRE(echoed);
    CHECK(slept->state == TaskState::success);
    CHECK(echoed->state == TaskState::success);
    CHECK(echoed->result == R"("later")");
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

TEST_CASE("result cache: past --result-cache-bytes old big results are evicted, recent ones stay") {
    ControlPlaneProcess control_plane({"--result-cache-bytes", kCacheBytes});
    Client client(control_plane.client_options());
    std::vector<std::string> ids;
    for (char fill : {'a', 'b', 'c', 'd', 'e'}) ids.push_back(run_big_echo(client, fill));

    // Far below --result-cache-size (10000 records): the bytes decided.
    CHECK(status_exit_code(control_plane, ids[0]) == 1);
    CHECK(status_exit_code(control_plane, ids[1]) == 1);
    for (std::size_t i = 2; i < ids.size(); ++i) {
        CAPTURE(i);
        const auto status = control_plane.cli({"status", "--task-id", ids[i], "--json"});
        INFO(status.describe());
        CHECK(status.exit_code == 0);
        CHECK(parse_json(status.stdout_text)["result"] ==
              std::string(kBigEchoChars, static_cast<char>('a' + i)));
    }
    // Small records still fit beside them.
    const std::string small = run_echo(control_plane, "small");
    CHECK(status_exit_code(control_plane, small) == 0);
    CHECK(status_exit_code(control_plane, ids[4]) == 0);
}

TEST_CASE(
    "result cache: a result larger than --result-cache-bytes reaches its submitter but is not "
    "kept") {
    ControlPlaneProcess control_plane({"--result-cache-bytes", kCacheBytes});
    const std::string earlier = run_echo(control_plane, "earlier");
    const std::string huge_value(30000, 'h');

    const auto huge =
        control_plane.cli({"submit", "--task-name", "echo", "--args", huge_value, "--json"});
    INFO(huge.describe());
    REQUIRE(huge.exit_code == 0);
    const auto huge_json = parse_json(huge.stdout_text);
    CHECK(huge_json["result"] == huge_value);

    CHECK(status_exit_code(control_plane, huge_json.value("task_id", "")) == 1);
    CHECK(status_exit_code(control_plane, earlier) == 0);  // it evicted nothing
    const bool is_logged = poll_until(
        [&] {
            return control_plane.process().stderr_text().find("larger than --result-cache-bytes") !=
                   std::string::npos;
        },
        5s, 50ms);
    CHECK_MESSAGE(is_logged, control_plane.process().stderr_text());
}

TEST_CASE("result cache: queued and running tasks stay queryable while the byte limit evicts") {
    ControlPlaneProcess control_plane({"--concurrency", "1", "--result-cache-bytes", "4000"});
    Client client(control_plane.client_options());
    const RunningAndQueued tasks = start_running_and_queued(control_plane, client, "3.0");

    // Churn the cache without a free handler: a task of an unknown name ends
    // as a failure the moment it is accepted, and its record (the name twice,
    // in the error too) is charged over 500 bytes, so 4000 bytes hold at most
    // seven.
    const std::string unknown_name = "no-such-task-" + std::string(100, 'u');
    std::vector<std::string> churned;
    for (int i = 0; i < 40; ++i) {
        churned.push_back(client.submit(unknown_name, Client::make_payload("[]", "{}")));
    }
    const auto last = client.get(churned.back());
    REQUIRE(last.has_value());
    CHECK(last->state == TaskState::failure);
    CHECK_FALSE(client.get(churned.front()).has_value());  // evicted by the churn

    const LiveStatuses statuses = read_live_statuses(control_plane, client, tasks);
    CHECK(statuses.queued["status"] == "queued");
    CHECK(statuses.running["status"] == "running");
    check_both_finish(control_plane, tasks);
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

TEST_CASE(
    "result cache: status of a running task answers running, of a queued task answers queued") {
    ControlPlaneProcess control_plane({"--concurrency", "1"});
    Client client(control_plane.client_options());
    const RunningAndQueued tasks = start_running_and_queued(control_plane, client, "1.0");
    const LiveStatuses statuses = read_live_statuses(control_plane, client, tasks);

    CHECK(statuses.queued["status"] == "queued");
    CHECK(statuses.queued["task_name"] == "echo");
    CHECK(statuses.queued["started_at"].is_null());
    CHECK(statuses.queued["finished_at"].is_null());
    CHECK(statuses.queued["result"].is_null());
    CHECK(is_iso_timestamp(statuses.queued.value("submitted_at", "")));

    CHECK(statuses.running["status"] == "running");
    CHECK(statuses.running["task_name"] == "sleep");
    CHECK(is_iso_timestamp(statuses.running.value("started_at", "")));
    CHECK(statuses.running["finished_at"].is_null());
    CHECK(statuses.running["attempts"] == 1);

    check_both_finish(control_plane, tasks);
}

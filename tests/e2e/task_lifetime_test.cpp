// task_lifetime_test.cpp -- timeouts, retries and delayed tasks end to end:
// a real control plane (and, where it says so, a real subworker) running the
// fq_test_lifetime and mytasks plugins, driven through the client library
// and `fastqueue submit`.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "fastqueue/client.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/fastqueue_cli.hpp"
#include "harness/subworker_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kLifetimeModules = {"fq_test_lifetime"};

TaskOptions timeout_of(std::chrono::milliseconds limit) {
    TaskOptions options;
    options.task_timeout = limit;
    return options;
}

TaskOptions retries(std::uint32_t max_retries, std::chrono::milliseconds backoff) {
    TaskOptions options;
    options.max_retries = max_retries;
    options.retry_backoff = backoff;
    return options;
}

}  // namespace

TEST_CASE("timeout: a task past --task-timeout fails as timed out and stays so") {
    ControlPlaneProcess control_plane({"--concurrency", "2"}, {}, kLifetimeModules);
    Client client(control_plane.client_options(20s));

    const TaskRecord record = client.submit_and_wait(
        "lifetime.limited", Client::make_payload("[5]", ""), Priority::normal, timeout_of(300ms));
    CHECK(record.state == TaskState::failure);
    CHECK(record.error == "timed out after 0.3 s");
    CHECK(record.attempts == 1);
    CHECK(record.finished_at - record.started_at >= 300ms);
    CHECK(record.finished_at - record.started_at < 5s);

    // The handler honoured its raised flag; nothing it returned replaced the record.
    std::this_thread::sleep_for(300ms);
    auto later = client.get(record.task_id);
    REQUIRE(later);
    CHECK(later->state == TaskState::failure);
    CHECK(later->error == "timed out after 0.3 s");

    // The CLI flag does the same and exits 1 naming the timeout.
    const RunResult run = control_plane.cli(
        {"submit", "--task-name", "sleep", "--args", "5", "--task-timeout", "0.2"});
    CHECK_MESSAGE(run.exit_code == 1, run.describe());
    CHECK_MESSAGE(contains(run.stderr_text, "timed out after 0.2 s"), run.describe());
}

TEST_CASE("timeout: the plugin's default applies, and the control plane's when neither sets one") {
    ControlPlaneProcess control_plane({"--default-task-timeout", "0.4"}, {}, kLifetimeModules);
    Client client(control_plane.client_options(20s));
    const std::string five_seconds = Client::make_payload("[5]", "");

    // lifetime.limited registers a 500 ms default of its own.
    CHECK(client.submit_and_wait("lifetime.limited", five_seconds).error ==
          "timed out after 0.5 s");
    // mytasks' sleep has none: --default-task-timeout applies.
    CHECK(client.submit_and_wait("sleep", five_seconds).error == "timed out after 0.4 s");
    // The submission's own limit wins over both.
    CHECK(
        client
            .submit_and_wait("lifetime.limited", five_seconds, Priority::normal, timeout_of(200ms))
            .error == "timed out after 0.2 s");
    // A task that ends in time is not affected.
    CHECK(client.submit_and_wait("sleep", Client::make_payload("[0.05]", "")).state ==
          TaskState::success);
}

TEST_CASE("timeout: a handler that ignores cancellation is logged and its thread comes back") {
    // In-process handlers: in process isolation the task process is killed
    // --kill-grace after the timeout instead (isolation_runaway_test.cpp).
    ControlPlaneProcess control_plane({"--concurrency", "1", "--isolation", "thread"}, {},
                                      kLifetimeModules);
    Client client(control_plane.client_options(20s));

    const TaskRecord stuck = client.submit_and_wait(
        "lifetime.stubborn", Client::make_payload("[3]", ""), Priority::normal, timeout_of(200ms));
    CHECK(stuck.state == TaskState::failure);
    CHECK(stuck.error == "timed out after 0.2 s");
    CHECK(poll_until(
        [&] { return contains(control_plane.process().stderr_text(), "ignores cancellation"); },
        10s));

    // With one handler thread, the next task runs once the stubborn handler
    // returns, and the timed-out record is never replaced by its late result.
    const TaskRecord next = client.submit_and_wait("echo", Client::make_payload("[1]", ""));
    CHECK(next.state == TaskState::success);
    CHECK(next.started_at >= stuck.started_at + 3s);
    auto again = client.get(stuck.task_id);
    REQUIRE(again);
    CHECK(again->state == TaskState::failure);
    CHECK(again->error == "timed out after 0.2 s");
}

TEST_CASE("timeout: a subworker enforces the limit of the tasks it runs") {
    ControlPlaneProcess control_plane({"--default-task-timeout", "0.3"});
    SubworkerProcess subworker(control_plane, "sw-timeout", {}, kLifetimeModules);
    REQUIRE_MESSAGE(subworker.wait_until_registered(), subworker.describe());
    Client client(control_plane.client_options(20s));
    const std::string five_seconds = Client::make_payload("[5]", "");

    // Only the subworker has the lifetime plugin, so these run there.
    const TaskRecord own = client.submit_and_wait("lifetime.limited", five_seconds,
                                                  Priority::normal, timeout_of(250ms));
    CHECK(own.worker_id == "sw-timeout");
    CHECK(own.error == "timed out after 0.25 s");
    const TaskRecord plugin_default = client.submit_and_wait("lifetime.limited", five_seconds);
    CHECK(plugin_default.error == "timed out after 0.5 s");
    // The control plane's default travels with the task.
    const TaskRecord control_plane_default =
        client.submit_and_wait("lifetime.stubborn", Client::make_payload("[1]", ""));
    CHECK(control_plane_default.worker_id == "sw-timeout");
    CHECK(control_plane_default.error == "timed out after 0.3 s");
}

TEST_CASE("retries: a retryable failure runs again until it succeeds, keeping count") {
    // lifetime.flaky counts runs in the process that runs it: one handler
    // slot, so one task process, runs every attempt.
    ControlPlaneProcess control_plane({"--concurrency", "1"}, {}, kLifetimeModules);
    Client client(control_plane.client_options(20s));

    const TaskRecord record =
        client.submit_and_wait("lifetime.flaky", Client::make_payload(R"(["flaky-1", 2])", ""),
                               Priority::normal, retries(3, 50ms));
    CHECK(record.state == TaskState::success);
    CHECK(record.result == "3");
    CHECK(record.attempts == 3);
    CHECK(record.error.empty());
    CHECK_FALSE(record.retryable);
}

TEST_CASE("retries: the last error is kept when they run out; other failures are not retried") {
    ControlPlaneProcess control_plane({"--concurrency", "1"}, {}, kLifetimeModules);
    Client client(control_plane.client_options(20s));

    const TaskRecord exhausted =
        client.submit_and_wait("lifetime.flaky", Client::make_payload(R"(["flaky-2", 10])", ""),
                               Priority::normal, retries(2, 20ms));
    CHECK(exhausted.state == TaskState::failure);
    CHECK(exhausted.attempts == 3);
    CHECK(exhausted.error == "attempt 3 of 'flaky-2' failed");
    CHECK(exhausted.retryable);

    const TaskRecord plain = client.submit_and_wait("fail", Client::make_payload(R"(["no"])", ""),
                                                    Priority::normal, retries(5, 20ms));
    CHECK(plain.state == TaskState::failure);
    CHECK(plain.attempts == 1);
    CHECK_FALSE(plain.retryable);

    // Without --max-retries a retryable failure is final at once.
    const RunResult run = control_plane.cli(
        {"submit", "--task-name", "lifetime.retryable", "--args", "busy", "--json"});
    CHECK(run.exit_code == 1);
    const auto json = parse_json(run.stdout_text);
    CHECK(json["attempts"] == 1);
    CHECK(json["error"] == "busy");
}

TEST_CASE("retries: a waiting retry is scheduled, holds no worker, and can be cancelled") {
    ControlPlaneProcess control_plane({"--concurrency", "1"}, {}, kLifetimeModules);
    Client client(control_plane.client_options(20s));

    const std::string task_id =
        client.submit("lifetime.retryable", Client::make_payload(R"(["busy"])", ""),
                      Priority::normal, retries(3, 10s));
    REQUIRE(wait_for_state(control_plane.client_options(), task_id, TaskState::scheduled, 10s));
    auto waiting = client.get(task_id);
    REQUIRE(waiting);
    CHECK(waiting->attempts == 1);
    CHECK(waiting->error == "busy");
    CHECK(waiting->scheduled_for > waiting->started_at + 4s);

    // Its only handler thread is free meanwhile.
    CHECK(client.submit_and_wait("echo", Client::make_payload("[7]", "")).result == "7");

    CHECK(client.cancel(task_id) == CancelResult::cancelled);
    auto cancelled = client.get(task_id);
    REQUIRE(cancelled);
    CHECK(cancelled->state == TaskState::cancelled);
    CHECK(cancelled->attempts == 1);
}

TEST_CASE("delayed: --countdown holds a task as scheduled and never starts it early") {
    ControlPlaneProcess control_plane;
    Client client(control_plane.client_options(20s));

    TaskOptions delayed;
    delayed.countdown = 1500ms;
    const std::string task_id =
        client.submit("echo", Client::make_payload(R"(["later"])", ""), Priority::normal, delayed);
    auto held = client.get(task_id);
    REQUIRE(held);
    CHECK(held->state == TaskState::scheduled);
    CHECK(held->scheduled_for >= held->submitted_at + 1500ms);

    auto done = wait_for_finished_record(control_plane.client_options(), task_id, 15s);
    REQUIRE(done);
    CHECK(done->state == TaskState::success);
    CHECK(done->result == "\"later\"");
    CHECK(done->started_at >= done->submitted_at + 1500ms);
    CHECK(done->scheduled_for == Timestamp{});

    // The CLI waits for a delayed task like any other.
    const RunResult run = control_plane.cli(
        {"submit", "--task-name", "echo", "--args", "soon", "--countdown", "0.5", "--json"});
    REQUIRE_MESSAGE(run.exit_code == 0, run.describe());
    const auto json = parse_json(run.stdout_text);
    CHECK(json["result"] == "soon");
}

TEST_CASE("delayed: --eta holds a task until that time; a scheduled task can be cancelled") {
    ControlPlaneProcess control_plane;
    Client client(control_plane.client_options(20s));

    TaskOptions at;
    at.eta = Clock::now() + 1200ms;
    const std::string due =
        client.submit("echo", Client::make_payload("[1]", ""), Priority::normal, at);
    auto done = wait_for_finished_record(control_plane.client_options(), due, 15s);
    REQUIRE(done);
    CHECK(done->state == TaskState::success);
    CHECK(done->started_at >= *at.eta);

    TaskOptions far;
    far.eta = Clock::now() + 1h;
    const std::string held =
        client.submit("echo", Client::make_payload("[2]", ""), Priority::normal, far);
    CHECK(client.get(held)->state == TaskState::scheduled);
    CHECK(client.cancel(held) == CancelResult::cancelled);
    CHECK(client.get(held)->state == TaskState::cancelled);
    CHECK(client.get(held)->attempts == 0);

    // More than 30 days ahead is refused; a malformed --eta is a usage error.
    const RunResult too_far = control_plane.cli(
        {"submit", "--task-name", "echo", "--args", "1", "--eta", "2099-01-01T00:00:00Z"});
    CHECK_MESSAGE(too_far.exit_code == 6, too_far.describe());
    CHECK(contains(too_far.stderr_text, "more than 30 days"));
    const RunResult malformed =
        control_plane.cli({"submit", "--task-name", "echo", "--args", "1", "--eta", "noon"});
    CHECK_MESSAGE(malformed.exit_code == 2, malformed.describe());
    CHECK(contains(malformed.stderr_text, "--eta 'noon'"));
}

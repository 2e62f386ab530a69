// handler_failures_test.cpp -- tasks that go wrong inside the control plane:
// an unknown task name, a task that reports an error, a handler that throws
// a C++ exception and arguments of the wrong shape. Each ends as a failure
// record carrying a message, and the control plane goes on running the next
// task normally.
#include <doctest/doctest.h>

#include <string>

#include "harness/control_plane_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

nlohmann::json submit_json(const ControlPlaneProcess& control_plane,
                           const std::vector<std::string>& args, int expected_exit_code) {
    std::vector<std::string> full{"submit"};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back("--json");
    const auto run = control_plane.cli(full);
    INFO(run.describe());
    CHECK(run.exit_code == expected_exit_code);
    auto record = parse_json(run.stdout_text);
    REQUIRE(record.is_object());
    return record;
}

void check_still_serves(const ControlPlaneProcess& control_plane) {
    const auto run = control_plane.cli({"submit", "--task-name", "add", "--args", "2", "3"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(trim(run.stdout_text) == "5");
}

}  // namespace

TEST_CASE(
    "handler failures: an unknown task name fails with \"unknown task 'NAME'\" and the control "
    "plane keeps serving") {
    ControlPlaneProcess control_plane;
    const auto plain = control_plane.cli({"submit", "--task-name", "no_such_task", "--args", "1"});
    INFO(plain.describe());
    CHECK(plain.exit_code == 1);
    CHECK(contains(plain.stderr_text, "unknown task 'no_such_task'"));

    const auto record = submit_json(control_plane, {"--task-name", "no_such_task"}, 1);
    CHECK(record["status"] == "failure");
    CHECK(record["error"] == "unknown task 'no_such_task'");
    CHECK(record["result"].is_null());
    CHECK(control_plane.process().is_running());
    check_still_serves(control_plane);
}

TEST_CASE("handler failures: fail(message) ends as a failure carrying exactly that message") {
    ControlPlaneProcess control_plane;
    const auto record =
        submit_json(control_plane, {"--task-name", "fail", "--args", "quota exceeded"}, 1);
    CHECK(record["status"] == "failure");
    CHECK(record["error"] == "quota exceeded");
    CHECK(record["attempts"] == 1);
    check_still_serves(control_plane);
}

TEST_CASE(
    "handler failures: a handler that throws fails with the exception's message and the next task "
    "runs") {
    // One handler thread: the task after the throw runs on the same thread.
    ControlPlaneProcess control_plane({"--concurrency", "1"}, {}, {"fq_test_throws"});
    const auto first = submit_json(control_plane, {"--task-name", "throws"}, 1);
    CHECK(first["status"] == "failure");
    CHECK(first["error"] == "boom from handler");
    check_still_serves(control_plane);

    // And it fails the same way every time.
    const auto second = submit_json(control_plane, {"--task-name", "throws"}, 1);
    CHECK(second["error"] == "boom from handler");
    const auto echo = control_plane.cli({"submit", "--task-name", "echo", "--args", "still here"});
    INFO(echo.describe());
    CHECK(echo.exit_code == 0);
    CHECK(parse_json(echo.stdout_text) == "still here");
}

TEST_CASE("handler failures: an argument of the wrong type fails naming the argument") {
    ControlPlaneProcess control_plane;
    const auto record = submit_json(control_plane, {"--task-name", "add", "--args", "two", "3"}, 1);
    CHECK(record["status"] == "failure");
    const std::string error = record.value("error", "");
    CHECK(contains(error, "argument 1"));
    check_still_serves(control_plane);
}

TEST_CASE("handler failures: a missing argument or one too many fails with a message") {
    ControlPlaneProcess control_plane;
    const auto missing = submit_json(control_plane, {"--task-name", "add", "--args", "1"}, 1);
    CHECK(missing["status"] == "failure");
    CHECK(contains(missing.value("error", ""), "argument 2"));
    const auto extra =
        submit_json(control_plane, {"--task-name", "add", "--args", "1", "2", "3"}, 1);
    CHECK(extra["status"] == "failure");
    CHECK_FALSE(extra.value("error", "").empty());
    check_still_serves(control_plane);
}

TEST_CASE("handler failures: many failures in a row leave the control plane serving") {
    ControlPlaneProcess control_plane({"--concurrency", "2"});
    Client client(control_plane.client_options());
    for (int i = 0; i < 20; ++i) {
        const auto record = client.submit_and_wait(
            i % 2 == 0 ? "fail" : "no_such_task",
            Client::make_payload(nlohmann::json::array({"failure " + std::to_string(i)}).dump(),
                                 "{}"));
        INFO("task " << i);
        CHECK(record.state == TaskState::failure);
        CHECK(record.error ==
              (i % 2 == 0 ? "failure " + std::to_string(i) : "unknown task 'no_such_task'"));
    }
    check_still_serves(control_plane);
}

TEST_CASE(
    "handler failures: input nested millions of arrays deep fails with a message and the control "
    "plane keeps serving") {
    // 8 MB of brackets, under the default 16 MiB payload limit. Walked
    // recursively (copied, or written back by echo), a value this deep
    // overflows a handler thread's stack; the plugin wrapper refuses it first.
    ControlPlaneProcess control_plane;
    const std::size_t depth = 4'000'000;
    const std::string deep = std::string(depth, '[') + std::string(depth, ']');
    Client client(control_plane.client_options());
    // Written by hand: Client::make_payload refuses input this deep itself.
    const auto record = client.submit_and_wait("echo", "{\"args\":[" + deep + "]}");
    CHECK(record.state == TaskState::failure);
    CHECK(record.error == "task input is nested more than 1024 arrays and objects deep");
    CHECK(control_plane.process().is_running());
    check_still_serves(control_plane);

    const std::string deepest_accepted = std::string(1022, '[') + std::string(1022, ']');
    const auto echoed =
        client.submit_and_wait("echo", Client::make_payload("[" + deepest_accepted + "]", "{}"));
    CHECK(echoed.state == TaskState::success);
    CHECK(echoed.result == deepest_accepted);
}

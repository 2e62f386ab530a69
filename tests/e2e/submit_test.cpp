// submit_test.cpp -- `fastqueue submit` and `fastqueue status` against a real
// control plane running the mytasks plugin: results printed as JSON, --args
// and --kwargs decoding, the one-object --json record with every field, the
// non-blocking form, and the exit code of each outcome (0 success, 1 task
// failed or not found, 2 usage error, 4 result not back within --timeout).
#include <doctest/doctest.h>

#include <string>

#include "harness/control_plane_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

const char* const kRecordKeys[] = {"task_id",      "task_name",  "priority",    "status",
                                   "result",       "error",      "attempts",    "worker_id",
                                   "submitted_at", "started_at", "finished_at", "scheduled_for"};

}  // namespace

TEST_CASE("submit: add of two integers prints the integer sum and exits 0") {
    ControlPlaneProcess control_plane;
    const auto run =
        control_plane.cli({"submit", "--task-name", "add", "--args", "2", "--args", "3"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(trim(run.stdout_text) == "5");
}

TEST_CASE("submit: add of floats prints their floating-point sum") {
    ControlPlaneProcess control_plane;
    const auto run =
        control_plane.cli({"submit", "--task-name", "add", "--args", "1.5", "--args", "2.25"});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    const auto value = parse_json(run.stdout_text);
    REQUIRE(value.is_number_float());
    CHECK(value.get<double>() == doctest::Approx(3.75));
}

TEST_CASE("submit: several values after one --args are positional arguments in order") {
    ControlPlaneProcess control_plane;
    const auto run = control_plane.cli({"submit", "--task-name", "add", "--args", "40", "2"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(trim(run.stdout_text) == "42");
}

TEST_CASE("submit: an --args value that is not JSON is passed as a string") {
    ControlPlaneProcess control_plane;
    const auto run = control_plane.cli({"submit", "--task-name", "echo", "--args", "hello world"});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    CHECK(parse_json(run.stdout_text) == nlohmann::json("hello world"));
}

TEST_CASE("submit: an --args value that is JSON is passed as that JSON value") {
    ControlPlaneProcess control_plane;
    const std::string object = R"({"list":[1,2.5,"three",null,true],"nested":{"k":"v"}})";
    const auto run = control_plane.cli({"submit", "--task-name", "echo", "--args", object});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    CHECK(parse_json(run.stdout_text) == nlohmann::json::parse(object));
}

TEST_CASE("submit: echo returns a long string unchanged") {
    ControlPlaneProcess control_plane;
    std::string long_text(100000, 'x');
    for (std::size_t i = 0; i < long_text.size(); i += 7)
        long_text[i] = static_cast<char>('a' + i % 26);
    const auto run = control_plane.cli({"submit", "--task-name", "echo", "--args", long_text});
    INFO("exit code " << run.exit_code << ", stderr: " << run.stderr_text);
    REQUIRE(run.exit_code == 0);
    CHECK(parse_json(run.stdout_text) == nlohmann::json(long_text));
}

TEST_CASE("submit: --kwargs binds keyword arguments by name") {
    ControlPlaneProcess control_plane;
    const auto run = control_plane.cli(
        {"submit", "--task-name", "add", "--args", "2", "--kwargs", R"({"y": 40})"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(trim(run.stdout_text) == "42");
}

TEST_CASE("submit --json: prints exactly one object with every record field") {
    ControlPlaneProcess control_plane;
    const auto run =
        control_plane.cli({"submit", "--task-name", "add", "--args", "2", "--args", "3", "--json"});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    REQUIRE(non_empty_lines(run.stdout_text).size() == 1);
    const auto record = parse_json(run.stdout_text);
    REQUIRE(record.is_object());
    CHECK(record.size() == std::size(kRecordKeys));
    for (const char* key : kRecordKeys) {
        INFO("key " << std::string(key));
        CHECK(record.contains(key));
    }
    CHECK(is_lowercase_uuid(record.value("task_id", "")));
    CHECK(record["task_name"] == "add");
    CHECK(record["priority"] == "normal");
    CHECK(record["status"] == "success");
    CHECK(record["result"] == nlohmann::json(5));
    CHECK(record["result"].is_number_integer());
    CHECK(record["error"].is_null());
    CHECK(record["attempts"] == 1);
    CHECK(record["worker_id"] == "control-plane");
    for (const char* key : {"submitted_at", "started_at", "finished_at"}) {
        INFO("key " << std::string(key) << " = " << record[key].dump());
        REQUIRE(record[key].is_string());
        CHECK(is_iso_timestamp(record[key].get<std::string>()));
    }
    // Same fixed-width format, so text order is time order.
    CHECK(record["submitted_at"].get<std::string>() <= record["started_at"].get<std::string>());
    CHECK(record["started_at"].get<std::string>() <= record["finished_at"].get<std::string>());
}

TEST_CASE("submit --json: the record carries the priority the task was submitted at") {
    ControlPlaneProcess control_plane;
    for (const char* priority : {"critical", "high", "normal", "low"}) {
        const auto run = control_plane.cli({"submit", "--task-name", "echo", "--args", priority,
                                            "--priority", priority, "--json"});
        INFO(std::string(priority) << ": " << run.describe());
        REQUIRE(run.exit_code == 0);
        const auto record = parse_json(run.stdout_text);
        CHECK(record["priority"] == priority);
        CHECK(record["result"] == priority);
    }
}

TEST_CASE("submit --non-blocking: prints the task id, and status later reads its result") {
    ControlPlaneProcess control_plane;
    const auto run = control_plane.cli(
        {"submit", "--task-name", "add", "--args", "20", "--args", "22", "--non-blocking"});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    const std::string task_id = trim(run.stdout_text);
    REQUIRE(is_lowercase_uuid(task_id));

    const auto record = wait_for_finished_record(control_plane.client_options(), task_id, 10s);
    REQUIRE(record);
    CHECK(record->state == TaskState::success);

    const auto status = control_plane.cli({"status", "--task-id", task_id, "--json"});
    INFO(status.describe());
    CHECK(status.exit_code == 0);
    const auto json = parse_json(status.stdout_text);
    CHECK(json["task_id"] == task_id);
    CHECK(json["status"] == "success");
    CHECK(json["result"] == nlohmann::json(42));

    const auto text = control_plane.cli({"status", "--task-id", task_id});
    INFO(text.describe());
    CHECK(text.exit_code == 0);
    CHECK(contains(text.stdout_text, task_id));
    CHECK(contains(text.stdout_text, "success"));
}

TEST_CASE("status: accepts a task id typed in upper case") {
    ControlPlaneProcess control_plane;
    const auto run =
        control_plane.cli({"submit", "--task-name", "echo", "--args", "1", "--non-blocking"});
    REQUIRE(run.exit_code == 0);
    const std::string task_id = trim(run.stdout_text);
    REQUIRE(wait_for_finished_record(control_plane.client_options(), task_id, 10s));
    std::string upper = task_id;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto status = control_plane.cli({"status", "--task-id", upper, "--json"});
    INFO(status.describe());
    CHECK(status.exit_code == 0);
    CHECK(parse_json(status.stdout_text)["task_id"] == task_id);
}

TEST_CASE("submit: a failing task prints its error on stderr and exits 1") {
    ControlPlaneProcess control_plane;
    const auto run = control_plane.cli({"submit", "--task-name", "fail", "--args", "disk on fire"});
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    CHECK(contains(run.stderr_text, "disk on fire"));
    CHECK(trim(run.stdout_text).empty());
}

TEST_CASE(
    "submit --json: a failing task prints status failure, its error and a null result, exit 1") {
    ControlPlaneProcess control_plane;
    const auto run =
        control_plane.cli({"submit", "--task-name", "fail", "--args", "disk on fire", "--json"});
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    const auto record = parse_json(run.stdout_text);
    REQUIRE(record.is_object());
    CHECK(record["status"] == "failure");
    CHECK(record["error"] == "disk on fire");
    CHECK(record["result"].is_null());
    CHECK(is_iso_timestamp(record.value("finished_at", "")));
}

TEST_CASE("status: an unknown task id exits 1") {
    ControlPlaneProcess control_plane;
    const auto run =
        control_plane.cli({"status", "--task-id", "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f"});
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    CHECK(trim(run.stdout_text).empty());
}

TEST_CASE("submit: a task accepted but not finished within --timeout exits 4") {
    ControlPlaneProcess control_plane;
    const auto run =
        control_plane.cli({"submit", "--task-name", "sleep", "--args", "3", "--timeout", "0.5"});
    INFO(run.describe());
    CHECK(run.exit_code == 4);
}

TEST_CASE("submit: usage errors exit 2 without submitting anything") {
    ControlPlaneProcess control_plane;
    SUBCASE("no --task-name") {
        const auto run = control_plane.cli({"submit", "--args", "1"});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
    }
    SUBCASE("--kwargs that is not a JSON object") {
        const auto run = control_plane.cli({"submit", "--task-name", "add", "--kwargs", "[1,2]"});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
        CHECK(contains(run.stderr_text, "kwargs"));
    }
    SUBCASE("--kwargs that is not JSON at all") {
        const auto run = control_plane.cli({"submit", "--task-name", "add", "--kwargs", "{oops"});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
    }
    SUBCASE("an --args value nested deeper than any task reads") {
        // An object holding 2,000 nested arrays: refused while it is read,
        // before anything would copy or write it recursively.
        const std::string deep = "{\"a\":" + std::string(2000, '[') + std::string(2000, ']') + "}";
        const auto run = control_plane.cli({"submit", "--task-name", "echo", "--args", deep});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
        CHECK(contains(run.stderr_text, "nested more than 1024 arrays and objects deep"));
    }
    SUBCASE("an --args value that would nest the task input deeper than 1024") {
        // 1 + 1022 levels, inside the args array: 1024, one more than the
        // plugin wrapper leaves for args with the task object around it.
        const std::string deep = "{\"a\":" + std::string(1022, '[') + std::string(1022, ']') + "}";
        const auto run = control_plane.cli({"submit", "--task-name", "echo", "--args", deep});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
        CHECK(contains(run.stderr_text, "args is nested more than 1023 arrays and objects deep"));
    }
    SUBCASE("a task name with characters the protocol does not carry") {
        const auto run = control_plane.cli({"submit", "--task-name", "bad name!"});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
    }
    SUBCASE("an unknown flag") {
        const auto run = control_plane.cli({"submit", "--task-name", "add", "--frobnicate"});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
    }
    SUBCASE("a --timeout that is not a positive number") {
        const auto run = control_plane.cli({"submit", "--task-name", "add", "--timeout", "-1"});
        INFO(run.describe());
        CHECK(run.exit_code == 2);
    }
}

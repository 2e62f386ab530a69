// progress_test.cpp -- a running task's progress, reported by its handler
// through the host API's report_progress, is visible to clients: in the
// record the query port returns (the client library) and in the text form
// of `fastqueue status`.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "harness/control_plane_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

TEST_CASE("progress: a running sleep reports growing progress that status shows") {
    ControlPlaneProcess control_plane;
    Client client(control_plane.client_options());
    // mytasks' sleep reports progress every 100 ms.
    const std::string task_id = client.submit("sleep", Client::make_payload("[3]", "{}"));

    std::optional<double> first_progress;
    REQUIRE(poll_until(
        [&] {
            const auto record = client.get(task_id);
            if (!record || record->state != TaskState::running || !record->progress) return false;
            if (*record->progress <= 0.0) return false;
            first_progress = record->progress;
            return true;
        },
        10s));
    CHECK(*first_progress <= 1.0);

    // Later reads report at least as much.
    REQUIRE(poll_until(
        [&] {
            const auto record = client.get(task_id);
            return record && record->progress && *record->progress > *first_progress;
        },
        10s));

    const auto status = control_plane.cli({"status", "--task-id", task_id});
    INFO(status.describe());
    CHECK(status.exit_code == 0);
    CHECK(status.stdout_text.find("progress: 0.") != std::string::npos);

    // A finished task's record carries no progress: it has its result.
    const auto finished = wait_for_finished_record(control_plane.client_options(), task_id, 15s);
    REQUIRE(finished);
    CHECK(finished->state == TaskState::success);
    CHECK_FALSE(finished->progress.has_value());
}

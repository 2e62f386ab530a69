// crashy_tasks.cpp -- see crashy_tasks.hpp.
#include "harness/crashy_tasks.hpp"

#include <doctest/doctest.h>

#include "harness/subworker_process.hpp"

namespace fastqueue::e2e {

std::vector<TaskRecord> check_crashes_fail_alone(ControlPlaneProcess& control_plane,
                                                 const std::string& worker_id) {
    using namespace std::chrono_literals;
    Client client(control_plane.client_options());
    std::vector<std::string> crash_ids;
    std::vector<std::string> sleep_ids;
    for (const auto& kind : kCrashingTasks) {
        sleep_ids.push_back(client.submit("sleep", sleep_payload(0.2)));
        crash_ids.push_back(client.submit(kind.task_name, "{}"));
        sleep_ids.push_back(client.submit("sleep", sleep_payload(0.2)));
    }
    auto crashes = wait_for_all_finished(control_plane.client_options(), crash_ids, 30s);
    const auto sleeps = wait_for_all_finished(control_plane.client_options(), sleep_ids, 30s);
    for (std::size_t i = 0; i < kCrashingTasks.size(); ++i) {
        const auto& record = crashes[i];
        INFO("task " << std::string(kCrashingTasks[i].task_name));
        CHECK(record.state == TaskState::failure);
        CHECK(record.error == kCrashingTasks[i].error);
        CHECK(record.retryable);
        CHECK(record.attempts == 1);
        CHECK(record.worker_id == worker_id);
    }
    INFO(describe_unsuccessful(sleeps));
    for (const auto& record : sleeps) {
        CHECK(record.state == TaskState::success);
        CHECK(record.attempts == 1);
    }
    return crashes;
}

}  // namespace fastqueue::e2e

// crashy_tasks.hpp -- the tasks of the fq_test_crashy plugin that end the
// process running them, the error their record carries when that process is
// a task process (process isolation), and the check every role shares: such
// a task fails alone while tasks run beside it.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "fastqueue/task.hpp"
#include "harness/control_plane_process.hpp"

namespace fastqueue::e2e {

struct CrashingTask {
    std::string_view task_name;
    std::string_view error;
};

inline constexpr std::array<CrashingTask, 3> kCrashingTasks{{
    {"crashy.segv", "task process died: signal 11 (SIGSEGV)"},
    {"crashy.abort", "task process died: signal 6 (SIGABRT)"},
    {"crashy.exit", "task process exited with status 3"},
}};

// Submits each of kCrashingTasks between two `sleep 0.2` tasks, so that with
// two or more slots each crash happens while a sleep runs beside it, and
// CHECKs the records: each crash failed with its error, retryable, after
// one attempt, on `worker_id`; every sleep succeeded on its first attempt.
// Returns the crashes' records, in the order of kCrashingTasks.
std::vector<TaskRecord> check_crashes_fail_alone(ControlPlaneProcess& control_plane,
                                                 const std::string& worker_id);

}  // namespace fastqueue::e2e

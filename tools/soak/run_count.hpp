// run_count.hpp -- how often each acknowledged task ran, read from the trace
// file its runs appended to (fq_test_journal's journal.trace writes the task
// number on every run), judged against the control-plane kills: a task may
// run more than once only when it was in flight at a kill or its record
// counts every run, and never more often than its record's attempts say.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fastqueue::soak {

// One acknowledged task, as the soak saw it.
struct AcknowledgedTask {
    std::uint64_t index = 0;
    std::string task_id;
    std::string task_name;
    // When its SUBMIT was first sent, and when its final record was read
    // (time_point::max() when it was never read final).
    std::chrono::steady_clock::time_point submitted_at{};
    std::chrono::steady_clock::time_point finished_at =
        std::chrono::steady_clock::time_point::max();
    std::uint32_t attempts = 0;  // of its final record
    bool is_finished = false;
};

struct RunCounts {
    std::uint64_t traced_runs = 0;           // lines in the trace file
    std::uint64_t malformed_lines = 0;       // lines that are not a task number
    std::uint64_t ran_more_than_once = 0;    // acknowledged tasks traced more than once
    std::uint64_t ran_again_after_kill = 0;  // ... of them in flight at a kill (allowed)
    // ... of them not in flight at a kill, but whose record counts every run
    // (attempts >= runs): the control plane ran it again knowingly, e.g.
    // when a subworker registered again after the restart (allowed).
    std::uint64_t ran_again_counted = 0;
    std::uint64_t ran_again_unexplained = 0;  // ... of them neither
    std::uint64_t runs_beyond_attempts = 0;   // finished tasks traced more often than attempts
    std::uint64_t finished_without_run = 0;   // finished tasks never traced
    std::uint64_t unacknowledged_runs = 0;    // traced tasks the soak never saw acknowledged
    std::uint32_t max_runs = 0;
    bool is_clean() const {
        return ran_again_unexplained == 0 && runs_beyond_attempts == 0 &&
               finished_without_run == 0 && malformed_lines == 0;
    }
};

// Runs per task number in the trace file at `path` (missing file: none);
// counts lines that are not a decimal task number in `malformed_lines`.
std::unordered_map<std::uint64_t, std::uint32_t> read_run_trace(const std::string& path,
                                                                std::uint64_t& malformed_lines);

// Judges every acknowledged task against `runs` and the moments of the
// kills; calls `problem` with the task and what is wrong for each task that
// breaks a rule (unexplained second run, more runs than attempts, finished
// without a run). Moments in the problems are seconds from `run_start`.
RunCounts count_runs(
    const std::vector<AcknowledgedTask>& tasks,
    const std::unordered_map<std::uint64_t, std::uint32_t>& runs,
    const std::vector<std::chrono::steady_clock::time_point>& kills,
    std::chrono::steady_clock::time_point run_start,
    const std::function<void(const AcknowledgedTask&, const std::string&)>& problem);

}  // namespace fastqueue::soak

// soak_run.hpp -- one soak run: start a control plane and two subworkers,
// submit tasks through the public client library with a fixed number in
// flight, kill and restart a subworker every few seconds meanwhile, and read
// every task's record until it is final. What came out is a SoakResult.
//
// Each task in flight has its own client thread (the client library is
// synchronous and one Client serves one thread): it submits, retries later
// when the control plane answers busy, then polls the task's record until it
// is finished. A task whose record stays "not found", or is still not
// finished when the run's time is up, is lost.
//
// With --kill-control-plane the killer SIGKILLs the control plane instead and
// restarts it on its journal; every acknowledged task is remembered (when it
// was sent, when it was read final, its attempts) and judged at the end
// against the runs its task traced (run_count.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "launch/local_cluster.hpp"
#include "run_count.hpp"
#include "soak_options.hpp"

namespace fastqueue::soak {

// A task that was lost or whose record was wrong, kept for the report.
struct TaskProblem {
    std::uint64_t index = 0;
    std::string task_id;
    std::string task_name;
    std::string what;  // the last record seen, or why there is none
};

struct SoakResult {
    // Submissions. Each SUBMIT sent was accepted, refused, or not answered:
    // sent == accepted + refused_busy + refused_other + unanswered.
    std::uint64_t requested = 0;      // --tasks
    std::uint64_t sent = 0;           // SUBMITs, counting each retry after busy
    std::uint64_t accepted = 0;       // acknowledged: these are the tasks submitted
    std::uint64_t refused_busy = 0;   // "busy" (the control plane's --max-queued); retried later
    std::uint64_t refused_other = 0;  // any other refusal or rejection (never expected)
    std::uint64_t unanswered = 0;     // no answer within the client's timeout (never expected)

    // Final records of the accepted tasks.
    std::uint64_t succeeded = 0;           // state success
    std::uint64_t failed = 0;              // state failure
    std::uint64_t failed_as_expected = 0;  // the fail tasks' own failure
    std::uint64_t worker_lost = 0;         // failure "worker lost" (--max-worker-losses reached)
    std::uint64_t ran_more_than_once = 0;  // records with attempts > 1
    std::uint32_t max_attempts = 0;
    std::uint64_t wrong = 0;  // a final record that is not what its task produces
    std::uint64_t lost = 0;   // accepted, and no final record by the end of the drain
    // Accepted tasks that a query once answered "not found" for, though their
    // record was there later: a wrong answer even when the task ran.
    std::uint64_t not_found_then_found = 0;
    // Accepted tasks whose record was "not found" only after so many later
    // tasks that the result cache may have evicted it unread: unchecked.
    std::uint64_t evicted_before_read = 0;

    std::uint64_t query_errors = 0;        // record queries that got no answer (asked again)
    std::vector<std::string> tool_errors;  // the tool itself failed (a thread threw)

    std::uint64_t kills = 0;
    std::uint64_t restarts = 0;

    // --kill-control-plane: the kills asked for (0 otherwise), and the runs
    // of each task counted from the trace file.
    std::uint64_t control_plane_kills_requested = 0;
    RunCounts runs;
    // Longest from a kill of the control plane until it answered again.
    double max_control_plane_down_seconds = 0;
    std::vector<double> kill_seconds;  // each kill, in seconds from the first submission
    // The directory the run created for the journal and the trace; removed
    // when the run was clean, kept (and named in the report) otherwise.
    std::string run_dir;
    bool is_run_dir_kept = false;
    std::string journal_dir;  // the control plane's --journal-dir in this run

    bool is_stopped_by_time = false;  // --max-seconds came before every task was submitted
    double elapsed_seconds = 0;       // first submission to the last final record

    // The control plane's VmRSS, sampled every second while tasks flowed.
    std::uint64_t rss_samples = 0;
    std::uint64_t rss_first_bytes = 0;
    std::uint64_t rss_max_bytes = 0;
    std::uint64_t rss_last_bytes = 0;
    std::uint64_t rss_first_third_max_bytes = 0;
    std::uint64_t rss_last_third_max_bytes = 0;
    std::vector<launch::SpawnedProcess> processes;  // with their peak RSS (VmHWM)
    std::string log_dir;

    std::vector<TaskProblem> problems;  // the first 20 tasks lost, wrong, unanswered or unchecked

    std::uint64_t finished() const { return accepted - lost; }
    // Nothing lost, nothing wrong (no wrong record, no wrong "not found"),
    // every task checked, every SUBMIT answered, no refusal but busy.
    bool is_clean() const {
        return lost == 0 && wrong == 0 && not_found_then_found == 0 && evicted_before_read == 0 &&
               unanswered == 0 && refused_other == 0 && tool_errors.empty() && runs.is_clean();
    }
    // Fewer control-plane kills happened than were asked for (too few tasks).
    bool is_short_of_kills() const { return kills < control_plane_kills_requested; }
};

// Runs the soak as `options` say. Throws std::runtime_error when the
// processes cannot be started.
SoakResult run_soak(const SoakOptions& options);

}  // namespace fastqueue::soak

// task_mix.hpp -- which task the soak submits as its Nth, and what its final
// record must say. The mix is a pure function of the index, so that a record
// is checked against its task without storing what was sent.
//
// Most tasks are quick (mytasks' echo and add); every sleep_every-th sleeps
// a little so that a SIGKILL often lands while a handler is running; every
// fail_every-th is mytasks' fail, whose record must be that failure.
// With --kill-control-plane every task is kTracedTaskName instead, with the
// same sleeps and failures, so that each run is counted (run_count.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "fastqueue/task.hpp"
#include "soak_options.hpp"

namespace fastqueue::soak {

// fq_test_journal's task: journal.trace(path, line, seconds, error) appends
// `line` to the file `path` on every run, and returns it or fails with `error`.
inline constexpr const char* kTracedTaskName = "journal.trace";

struct SoakTask {
    std::string name;     // mytasks' task name
    std::string payload;  // {"args": [...], "kwargs": {}}
};

// How a final record compares with what its task must produce.
enum class Verdict {
    correct,      // success with the expected result, or the expected failure
    worker_lost,  // failure "worker lost": the task lost its worker --max-worker-losses times,
                  // which the delivery guarantee allows
    wrong,        // anything else
};

// The task submitted as number `index` of a run with these options.
SoakTask make_task(std::uint64_t index, const SoakOptions& options);

// Judges a finished record of task number `index`.
Verdict judge(std::uint64_t index, const SoakOptions& options, const TaskRecord& record);

}  // namespace fastqueue::soak

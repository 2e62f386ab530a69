// record_output.hpp -- how client commands print a task record: one JSON
// object with --json, readable "key: value" lines otherwise.
#pragma once

#include "fastqueue/task.hpp"

namespace fastqueue::cli {

// Exactly one JSON object on stdout: task_id, task_name, priority, status,
// result, error, attempts, worker_id, submitted_at, started_at, finished_at.
void print_record_json(const TaskRecord& record);
// One "key: value" line per field on stdout.
void print_record_text(const TaskRecord& record);

}  // namespace fastqueue::cli

// fastqueue/task.hpp -- the vocabulary shared by the runtime, the client
// library and the wire: priorities, task states and the task record.
//
// A TaskRecord is what a client reads back for a task id: identity, state,
// result or error, attempts, the worker that ran it and its timings. The
// result is opaque bytes (by convention JSON text) owned by the record.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fastqueue {

// Submission priority. The numeric value is the port offset from the base
// address (critical = base+0 ... low = base+3) and never changes.
enum class Priority : std::uint8_t { critical = 0, high = 1, normal = 2, low = 3 };
inline constexpr int kPriorityCount = 4;

// scheduled: accepted, and held until a time (a delayed task, or a failed
// attempt waiting to be retried); it then becomes queued.
enum class TaskState : std::uint8_t { queued, running, success, failure, cancelled, scheduled };

// "critical", "high", "normal", "low".
std::string_view to_string(Priority priority);
// "queued", "running", "success", "failure", "cancelled", "scheduled".
std::string_view to_string(TaskState state);
// Parses the names above; std::nullopt for anything else.
std::optional<Priority> parse_priority(std::string_view text);
std::optional<TaskState> parse_task_state(std::string_view text);

// True for success, failure and cancelled: the record will not change again.
bool is_finished(TaskState state);

using Clock = std::chrono::system_clock;
using Timestamp = Clock::time_point;  // the epoch (a default value) means "not yet"

// Formats as UTC ISO-8601 with microseconds, e.g. "2026-11-27T23:52:33.123456Z".
// An unset timestamp formats as the empty string.
std::string format_timestamp(Timestamp at);
// Parses what format_timestamp writes; std::nullopt on any other text and on
// a time a Timestamp cannot hold (before 1677-09-21 or after 2262-04-11).
// The empty string parses to an unset timestamp.
std::optional<Timestamp> parse_timestamp(std::string_view text);

struct TaskRecord {
    std::string task_id;  // canonical lower-case UUID text, 36 chars
    std::string task_name;
    Priority priority = Priority::normal;
    TaskState state = TaskState::queued;
    std::string result;  // result bytes (JSON text by convention); empty unless success
    // Error message: set when failure or cancelled, and while a task
    // scheduled for a retry waits (the error of the attempt that failed).
    std::string error;
    // Failure only: the handler marked its error retryable (FQ_ERROR_RETRYABLE).
    // A final record with it set ran out of retries.
    bool retryable = false;
    std::uint32_t attempts = 0;  // times the task was started
    std::string worker_id;       // id of the worker that ran (or runs) it; empty while queued
    // The last fraction (0..1) a running task reported through
    // report_progress, when it reported any. Only queries of running tasks
    // carry it.
    std::optional<double> progress;
    // Scheduled only: when the task becomes due (its ETA, or its next retry).
    Timestamp scheduled_for{};
    Timestamp submitted_at{};
    Timestamp started_at{};
    Timestamp finished_at{};
};

}  // namespace fastqueue

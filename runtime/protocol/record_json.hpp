// record_json.hpp -- a TaskRecord as JSON, in the two shapes FastQueue uses.
//
// Metadata: the JSON object carried in frame 3 of RESULT and RECORD messages
// (docs/protocol.md). Every field is present and a string except attempts;
// unset timestamps and an absent error are "". The result bytes are not in
// it: they travel in their own frame.
//
// CLI form: the one object `fastqueue submit|status --json` prints, for
// scripts. Here absent values are null and the result is embedded as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fastqueue/task.hpp"
#include "protocol/flat_json.hpp"

namespace fastqueue::protocol {

// {"task_id","task_name","priority","status","error","attempts","worker_id",
//  "submitted_at","started_at","finished_at"} from the record (not its result),
// plus "progress" (a number in 0..1) when the record has progress,
// "retryable" (true) on a failure the handler marked retryable, and
// "scheduled_for" (a timestamp) while the task is scheduled.
// Written straight to text, members in name order, without building a JSON
// document (this runs once per RESULT). Strings are copied as they are, so
// they must be valid UTF-8 (the codec bounds and repairs the error first).
std::string record_metadata_text(const TaskRecord& record);
// The same metadata as a JSON document (parsed back from the text), for code
// that edits it.
nlohmann::json record_metadata_to_json(const TaskRecord& record);

// The record described by a metadata object, with an empty result. Validates
// every field: present, of the right type, task_id a lower-case UUID,
// task_name a valid task name, priority and status known names, attempts an
// integer in 0..2^32-1, timestamps as format_timestamp writes them or "",
// worker_id at most kMaxWorkerIdBytes, error at most kMaxErrorBytes and
// empty unless the status is failure, cancelled or scheduled (a retry's
// last error), retryable a boolean and scheduled_for a timestamp when present. Unknown keys are
// ignored (a later protocol minor may add some), but no value may be an array or an object
// (kMaxMetadataNesting). On failure returns std::nullopt and sets *error (when not null) to a
// one-line reason.
//
// The codec reads the metadata frame with FlatJsonObject::parse, which builds
// no JSON document, and validates its members; the overload taking a
// document (for tests and code that edit metadata) does the same with the
// document's text.
std::optional<TaskRecord> record_metadata_from_members(const FlatJsonObject& metadata,
                                                       std::string* error = nullptr);
std::optional<TaskRecord> record_metadata_from_json(const nlohmann::json& metadata,
                                                    std::string* error = nullptr);

// {"task_id","task_name","priority","status","result","error","attempts",
//  "worker_id","submitted_at","started_at","finished_at","scheduled_for"}: result is the
// result parsed as JSON when it is valid JSON nested at most kMaxJsonNesting
// deep (bounded_json.hpp), else the result as a string (repaired to valid
// UTF-8), null when empty; error null when empty;
// worker_id null when empty; timestamps null when unset. Safe to dump().
nlohmann::json record_to_cli_json(const TaskRecord& record);

}  // namespace fastqueue::protocol

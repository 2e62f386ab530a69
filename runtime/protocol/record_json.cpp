// record_json.cpp -- see record_json.hpp. The metadata parser is the
// validation of the wire's RESULT/RECORD metadata frame, so it checks every
// field and names the first one that is wrong.
#include "protocol/record_json.hpp"

#include <cstdint>
#include <limits>

#include "common/uuid.hpp"
#include "protocol/bounded_json.hpp"
#include "protocol/codec.hpp"
#include "protocol/json_text.hpp"
#include "protocol/messages.hpp"
#include "protocol/text.hpp"

namespace fastqueue::protocol {

namespace {

using nlohmann::json;

bool fail(std::string* error, std::string message) {
    if (error != nullptr) *error = "metadata: " + std::move(message);
    return false;
}

// The string member `key`, or nullptr (with *error set) when it is missing
// or not a string.
const std::string* string_member(const FlatJsonObject& object, const char* key,
                                 std::string* error) {
    const FlatJsonValue* value = object.find(key);
    if (value == nullptr) {
        fail(error, std::string("missing '") + key + "'");
        return nullptr;
    }
    if (value->kind != FlatJsonValue::Kind::string) {
        fail(error, std::string("'") + key + "' must be a string");
        return nullptr;
    }
    return &value->string;
}

bool read_timestamp(const FlatJsonObject& object, const char* key, Timestamp& out,
                    std::string* error) {
    const std::string* text = string_member(object, key, error);
    if (text == nullptr) return false;
    auto at = parse_timestamp(*text);
    if (!at) {
        return fail(error, std::string("'") + key + "' is not a UTC timestamp like " +
                               "2026-11-27T23:52:33.123456Z: '" + printable_excerpt(*text) + "'");
    }
    out = *at;
    return true;
}

json string_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json timestamp_or_null(Timestamp at) {
    return at == Timestamp{} ? json(nullptr) : json(format_timestamp(at));
}

}  // namespace

std::string record_metadata_text(const TaskRecord& record) {
    // Members in name order, as a JSON object library would write them.
    JsonObjectWriter writer(320 + record.error.size());
    writer.number_member("attempts", std::uint64_t{record.attempts});
    writer.string_member("error", record.error);
    writer.string_member("finished_at", format_timestamp(record.finished_at));
    writer.string_member("priority", to_string(record.priority));
    if (record.progress) writer.number_member("progress", *record.progress);
    if (record.retryable) writer.bool_member("retryable", true);
    if (record.scheduled_for != Timestamp{}) {
        writer.string_member("scheduled_for", format_timestamp(record.scheduled_for));
    }
    writer.string_member("started_at", format_timestamp(record.started_at));
    writer.string_member("status", to_string(record.state));
    writer.string_member("submitted_at", format_timestamp(record.submitted_at));
    writer.string_member("task_id", record.task_id);
    writer.string_member("task_name", record.task_name);
    writer.string_member("worker_id", record.worker_id);
    return std::move(writer).finish();
}

json record_metadata_to_json(const TaskRecord& record) {
    return parse_bounded_json(record_metadata_text(record), kMaxMetadataNesting).value;
}

std::optional<TaskRecord> record_metadata_from_json(const json& metadata, std::string* error) {
    // The caller's document, not network input: writing it is safe.
    BoundedJsonOutcome parsed = BoundedJsonOutcome::invalid;
    auto members = FlatJsonObject::parse(metadata.dump(), &parsed);
    if (!members) {  // a document always dumps as valid JSON, but maybe not flat
        fail(error, parsed == BoundedJsonOutcome::too_deep
                        ? too_deep_reason("the object", kMaxMetadataNesting)
                        : std::string("not a JSON object"));
        return std::nullopt;
    }
    return record_metadata_from_members(*members, error);
}

std::optional<TaskRecord> record_metadata_from_members(const FlatJsonObject& metadata,
                                                       std::string* error) {
    if (!metadata.is_object()) {
        fail(error, "not a JSON object");
        return std::nullopt;
    }
    TaskRecord record;

    const std::string* task_id = string_member(metadata, "task_id", error);
    if (task_id == nullptr) return std::nullopt;
    if (!is_canonical_uuid(*task_id)) {
        fail(error, "'task_id' is not a lower-case UUID: '" + printable_excerpt(*task_id) + "'");
        return std::nullopt;
    }
    record.task_id = *task_id;

    const std::string* task_name = string_member(metadata, "task_name", error);
    if (task_name == nullptr) return std::nullopt;
    if (!is_valid_task_name(*task_name)) {
        fail(error,
             "'task_name' is not a valid task name: '" + printable_excerpt(*task_name) + "'");
        return std::nullopt;
    }
    record.task_name = *task_name;

    const std::string* priority_text = string_member(metadata, "priority", error);
    if (priority_text == nullptr) return std::nullopt;
    auto priority = parse_priority(*priority_text);
    if (!priority) {
        fail(error, "unknown 'priority' '" + printable_excerpt(*priority_text) +
                        "' (expected critical, high, normal or low)");
        return std::nullopt;
    }
    record.priority = *priority;

    const std::string* status_text = string_member(metadata, "status", error);
    if (status_text == nullptr) return std::nullopt;
    auto state = parse_task_state(*status_text);
    if (!state) {
        fail(error, "unknown 'status' '" + printable_excerpt(*status_text) +
                        "' (expected queued, running, success, failure, cancelled or scheduled)");
        return std::nullopt;
    }
    record.state = *state;

    const std::string* error_text = string_member(metadata, "error", error);
    if (error_text == nullptr) return std::nullopt;
    if (error_text->size() > kMaxErrorBytes) {
        fail(error, "'error' is longer than " + std::to_string(kMaxErrorBytes) + " bytes");
        return std::nullopt;
    }
    // A scheduled task waiting for a retry shows the error of its last attempt.
    if (!error_text->empty() && record.state != TaskState::failure &&
        record.state != TaskState::cancelled && record.state != TaskState::scheduled) {
        fail(error, "'error' is set but status is '" + *status_text + "'");
        return std::nullopt;
    }
    record.error = *error_text;

    const FlatJsonValue* attempts = metadata.find("attempts");
    if (attempts == nullptr) {
        fail(error, "missing 'attempts'");
        return std::nullopt;
    }
    // A JSON number without sign, fraction or exponent parses as unsigned.
    if (attempts->kind != FlatJsonValue::Kind::unsigned_integer ||
        attempts->unsigned_integer > std::numeric_limits<std::uint32_t>::max()) {
        fail(error, "'attempts' must be an integer in 0..4294967295");
        return std::nullopt;
    }
    record.attempts = static_cast<std::uint32_t>(attempts->unsigned_integer);

    const std::string* worker_id = string_member(metadata, "worker_id", error);
    if (worker_id == nullptr) return std::nullopt;
    if (worker_id->size() > kMaxWorkerIdBytes) {
        fail(error, "'worker_id' is longer than " + std::to_string(kMaxWorkerIdBytes) + " bytes");
        return std::nullopt;
    }
    record.worker_id = *worker_id;

    if (!read_timestamp(metadata, "submitted_at", record.submitted_at, error) ||
        !read_timestamp(metadata, "started_at", record.started_at, error) ||
        !read_timestamp(metadata, "finished_at", record.finished_at, error)) {
        return std::nullopt;
    }

    // Optional: present only while a task that reported progress runs.
    if (const FlatJsonValue* progress = metadata.find("progress"); progress != nullptr) {
        if (!progress->is_number() || !(progress->as_double() >= 0.0) ||
            !(progress->as_double() <= 1.0)) {
            fail(error, "'progress' must be a number in 0..1");
            return std::nullopt;
        }
        record.progress = progress->as_double();
    }
    // Optional: present (and true) only on a failure the handler marked retryable.
    if (const FlatJsonValue* retryable = metadata.find("retryable"); retryable != nullptr) {
        if (retryable->kind != FlatJsonValue::Kind::boolean) {
            fail(error, "'retryable' must be true or false");
            return std::nullopt;
        }
        record.retryable = retryable->boolean;
        if (record.retryable && record.state != TaskState::failure &&
            record.state != TaskState::scheduled) {
            fail(error, "'retryable' is true but status is '" + *status_text + "'");
            return std::nullopt;
        }
    }
    // Optional: present only while a task is scheduled.
    if (metadata.find("scheduled_for") != nullptr &&
        !read_timestamp(metadata, "scheduled_for", record.scheduled_for, error)) {
        return std::nullopt;
    }
    return record;
}

json record_to_cli_json(const TaskRecord& record) {
    json result = nullptr;
    if (!record.result.empty()) {
        // A result that is not JSON, or is nested too deep to copy and write
        // back without overflowing the stack, is shown as a string.
        auto parsed = parse_bounded_json(record.result);
        result = parsed.outcome == BoundedJsonOutcome::ok
                     ? std::move(parsed.value)
                     : json(to_valid_utf8(record.result, record.result.size() * 3));
    }
    return json{
        {"task_id", record.task_id},
        {"task_name", record.task_name},
        {"priority", std::string(to_string(record.priority))},
        {"status", std::string(to_string(record.state))},
        {"result", std::move(result)},
        {"error", string_or_null(to_valid_utf8(record.error, record.error.size() * 3))},
        {"attempts", record.attempts},
        {"worker_id", string_or_null(to_valid_utf8(record.worker_id, record.worker_id.size() * 3))},
        {"submitted_at", timestamp_or_null(record.submitted_at)},
        {"started_at", timestamp_or_null(record.started_at)},
        {"finished_at", timestamp_or_null(record.finished_at)},
        {"scheduled_for", timestamp_or_null(record.scheduled_for)},
    };
}

}  // namespace fastqueue::protocol

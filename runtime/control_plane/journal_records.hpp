// journal_records.hpp -- the control plane's task events as journal record
// bodies: what the journal (runtime/journal/) stores for each change of a
// task's state, in a compact binary form that recovery reads back fast (a
// million tasks in seconds: no text parsing).
//
// Every body starts with the same 26 bytes, little-endian:
//   [u8 format version = kRecordFormatVersion][u8 RecordType]
//   [u64 sequence number][16 bytes task id]
// then the fields of its type (journal_records.cpp lists them). The sequence
// number grows by one per record the control plane writes, across restarts:
// an accepted record's number is its task's submission order, and of two
// records of one task the higher number is the later state, wherever
// compaction has moved either. Strings are [u16 or u32 length][bytes];
// times are signed 64-bit nanoseconds since the Unix epoch (0: unset). The
// last field of accepted (the payload) and finished (the result) records is
// the rest of the body, so that the bytes are appended as a part of their
// own and never copied into an encoded header.
//
// A body read back from disk is input: decode_record() checks the version,
// the type, every length against the body and every value against its
// range, and reports what is wrong instead of trusting it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/task_id.hpp"
#include "fastqueue/task.hpp"

namespace fastqueue {

inline constexpr std::uint8_t kRecordFormatVersion = 1;

// Values never change and are never reused.
enum class RecordType : std::uint8_t {
    accepted = 1,   // a task was accepted (its submission, payload included)
    started = 2,    // an attempt started on a worker
    finished = 3,   // the task ended as success or failure: its whole final record
    cancelled = 4,  // the task ended cancelled: its whole final record
    scheduled = 5,  // a failed attempt waits to be retried
    requeued = 6,   // a started task is queued again (given back, or its worker lost)
    forgotten = 7,  // a finished record left the result cache
};

// The fields every record has.
struct RecordHead {
    std::uint64_t sequence = 0;
    TaskId task_id;
};

struct AcceptedRecord {
    RecordHead head;
    std::string task_name;
    Priority priority = Priority::normal;
    Timestamp submitted_at{};
    std::uint32_t timeout_ms = 0;
    std::uint32_t max_retries = 0;
    std::uint32_t retry_backoff_ms = 0;
    Timestamp due{};  // scheduled until then; unset: queued at once
    // Decoded: a view into the body given to decode_record(). Encoded: not
    // read (the payload is its own part, see encode_accepted_head()).
    std::string_view payload;
};

struct StartedRecord {
    RecordHead head;
    std::uint32_t attempt = 0;        // this attempt's number: 1 for the first run
    std::uint32_t worker_losses = 0;  // workers lost so far (capped by --max-worker-losses)
    std::string worker_id;
    Timestamp started_at{};
};

struct ScheduledRecord {
    RecordHead head;
    Timestamp due{};
    std::uint32_t attempts = 0;  // runs so far
    std::uint32_t worker_losses = 0;
    std::string error;  // the failed attempt's error
};

struct RequeuedRecord {
    RecordHead head;
    std::uint32_t attempts = 0;
    std::uint32_t worker_losses = 0;
};

// finished and cancelled: record.state says which (success or failure:
// finished; cancelled: cancelled). record.task_id is the head's id as text;
// record.result is not written (the result is its own part) and, decoded,
// stays empty: `result` views the body.
struct FinalRecord {
    RecordHead head;
    TaskRecord record;
    std::string_view result;
};

struct ForgottenRecord {
    RecordHead head;
};

using JournalRecord = std::variant<AcceptedRecord, StartedRecord, ScheduledRecord, RequeuedRecord,
                                   FinalRecord, ForgottenRecord>;

// What decode_record() made of a body: a record, or why there is none.
struct DecodedRecord {
    std::optional<JournalRecord> record;
    std::string error;
};

// Encoders: the body, or for accepted and final records the body without
// its last part (the payload, the result), which the caller appends as a
// second part of the same record.
std::string encode_accepted_head(const AcceptedRecord& record);
std::string encode_record(const StartedRecord& record);
std::string encode_record(const ScheduledRecord& record);
std::string encode_record(const RequeuedRecord& record);
std::string encode_final_head(const FinalRecord& record);
std::string encode_record(const ForgottenRecord& record);

// Never throws; views in the result point into `body`.
DecodedRecord decode_record(std::string_view body);

// The head alone (no check beyond its own 26 bytes): for callers that only
// need to know whose record it is.
std::optional<std::pair<RecordType, RecordHead>> peek_record_head(std::string_view body);

RecordHead head_of(const JournalRecord& record);

}  // namespace fastqueue

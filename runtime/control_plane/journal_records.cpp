// journal_records.cpp -- see journal_records.hpp. The fields after the
// 26-byte head, by type:
//   accepted:  [u8 priority][i64 submitted_at][u32 timeout_ms][u32 max_retries]
//              [u32 retry_backoff_ms][i64 due][u16 name length][name][payload...]
//   started:   [u32 attempt][u32 worker_losses][i64 started_at]
//              [u16 worker length][worker id]
//   scheduled: [i64 due][u32 attempts][u32 worker_losses][u32 error length][error]
//   requeued:  [u32 attempts][u32 worker_losses]
//   finished, cancelled:
//              [u8 priority][u8 state][u8 retryable][u32 attempts]
//              [i64 submitted_at][i64 started_at][i64 finished_at]
//              [u16 name length][name][u16 worker length][worker id]
//              [u32 error length][error][result...]
//   forgotten: nothing
#include "control_plane/journal_records.hpp"

#include <cstring>
#include <limits>
#include <type_traits>

#include "protocol/messages.hpp"

namespace fastqueue {
namespace {

constexpr std::size_t kHeadBytes = 2 + 8 + 16;

class Writer {
public:
    Writer(RecordType type, const RecordHead& head) {
        put_u8(kRecordFormatVersion);
        put_u8(static_cast<std::uint8_t>(type));
        put_u64(head.sequence);
        out_.append(reinterpret_cast<const char*>(head.task_id.bytes.data()),
                    head.task_id.bytes.size());
    }
    void put_u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
    void put_u16(std::uint16_t value) { put_le(value); }
    void put_u32(std::uint32_t value) { put_le(value); }
    void put_u64(std::uint64_t value) { put_le(value); }
    void put_time(Timestamp at) {
        put_u64(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count()));
    }
    // Strings longer than their length field can say are cut (names and
    // worker ids are at most 128 bytes; errors far below 4 GiB).
    void put_short_string(std::string_view text) {
        text = text.substr(0, std::numeric_limits<std::uint16_t>::max());
        put_u16(static_cast<std::uint16_t>(text.size()));
        out_.append(text);
    }
    void put_long_string(std::string_view text) {
        text = text.substr(0, std::numeric_limits<std::uint32_t>::max());
        put_u32(static_cast<std::uint32_t>(text.size()));
        out_.append(text);
    }
    std::string take() { return std::move(out_); }

private:
    template <typename T>
    void put_le(T value) {
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            out_.push_back(static_cast<char>(static_cast<std::uint8_t>(value >> (8 * i))));
        }
    }
    std::string out_;
};

// Reads fields in order; the first read past the end, or value out of its
// range, sets error() and makes every later read fail too.
class Reader {
public:
    explicit Reader(std::string_view body) : body_(body) {}

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    void fail(std::string why) {
        if (error_.empty()) error_ = std::move(why);
    }

    std::uint8_t u8(const char* field) { return le<std::uint8_t>(field); }
    std::uint16_t u16(const char* field) { return le<std::uint16_t>(field); }
    std::uint32_t u32(const char* field) { return le<std::uint32_t>(field); }
    std::uint64_t u64(const char* field) { return le<std::uint64_t>(field); }
    Timestamp time(const char* field) {
        const auto ns = static_cast<std::int64_t>(u64(field));
        return Timestamp(
            std::chrono::duration_cast<Timestamp::duration>(std::chrono::nanoseconds(ns)));
    }
    std::string_view bytes(std::size_t count, const char* field) {
        if (!ok()) return {};
        if (body_.size() - at_ < count) {
            fail(std::string("truncated in ") + field);
            return {};
        }
        std::string_view view = body_.substr(at_, count);
        at_ += count;
        return view;
    }
    std::string short_string(const char* field) {
        const std::uint16_t size = u16(field);
        return std::string(bytes(size, field));
    }
    std::string long_string(const char* field) {
        const std::uint32_t size = u32(field);
        return std::string(bytes(size, field));
    }
    std::string_view rest() {
        std::string_view view = ok() ? body_.substr(at_) : std::string_view();
        at_ = body_.size();
        return view;
    }
    void expect_end(const char* type) {
        if (ok() && at_ != body_.size()) {
            fail(std::to_string(body_.size() - at_) + " unexpected byte(s) after a " + type +
                 " record");
        }
    }

private:
    template <typename T>
    T le(const char* field) {
        std::string_view raw = bytes(sizeof(T), field);
        if (raw.size() != sizeof(T)) return 0;
        T value = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            value |= static_cast<T>(static_cast<T>(static_cast<std::uint8_t>(raw[i])) << (8 * i));
        }
        return value;
    }

    std::string_view body_;
    std::size_t at_ = 0;
    std::string error_;
};

Priority read_priority(Reader& in) {
    const std::uint8_t value = in.u8("priority");
    if (value >= kPriorityCount) in.fail("priority " + std::to_string(value) + " is not 0..3");
    return static_cast<Priority>(value);
}

std::string read_task_name(Reader& in) {
    std::string name = in.short_string("task name");
    if (in.ok() && !protocol::is_valid_task_name(name)) in.fail("task name is not valid");
    return name;
}

// A worker id, or empty (a task given back by a worker that refused it).
std::string read_worker_id(Reader& in) {
    std::string worker = in.short_string("worker id");
    if (in.ok() && !worker.empty() && !protocol::is_valid_task_name(worker)) {
        in.fail("worker id is not valid");
    }
    return worker;
}

RecordHead read_head(Reader& in, RecordType& type) {
    RecordHead head;
    const std::uint8_t version = in.u8("format version");
    if (in.ok() && version != kRecordFormatVersion) {
        in.fail("format version " + std::to_string(version) + " is not " +
                std::to_string(kRecordFormatVersion));
    }
    const std::uint8_t raw_type = in.u8("record type");
    if (in.ok() && (raw_type < static_cast<std::uint8_t>(RecordType::accepted) ||
                    raw_type > static_cast<std::uint8_t>(RecordType::forgotten))) {
        in.fail("record type " + std::to_string(raw_type) + " is unknown");
    }
    type = static_cast<RecordType>(raw_type);
    head.sequence = in.u64("sequence number");
    std::string_view id = in.bytes(head.task_id.bytes.size(), "task id");
    if (in.ok()) std::memcpy(head.task_id.bytes.data(), id.data(), id.size());
    return head;
}

AcceptedRecord read_accepted(Reader& in, const RecordHead& head) {
    AcceptedRecord record;
    record.head = head;
    record.priority = read_priority(in);
    record.submitted_at = in.time("submitted_at");
    record.timeout_ms = in.u32("timeout_ms");
    record.max_retries = in.u32("max_retries");
    record.retry_backoff_ms = in.u32("retry_backoff_ms");
    record.due = in.time("due");
    record.task_name = read_task_name(in);
    record.payload = in.rest();
    return record;
}

StartedRecord read_started(Reader& in, const RecordHead& head) {
    StartedRecord record;
    record.head = head;
    record.attempt = in.u32("attempt");
    record.worker_losses = in.u32("worker_losses");
    record.started_at = in.time("started_at");
    record.worker_id = read_worker_id(in);
    if (in.ok() && record.attempt == 0) in.fail("attempt 0 (attempts count from 1)");
    in.expect_end("started");
    return record;
}

ScheduledRecord read_scheduled(Reader& in, const RecordHead& head) {
    ScheduledRecord record;
    record.head = head;
    record.due = in.time("due");
    record.attempts = in.u32("attempts");
    record.worker_losses = in.u32("worker_losses");
    record.error = in.long_string("error");
    in.expect_end("scheduled");
    return record;
}

RequeuedRecord read_requeued(Reader& in, const RecordHead& head) {
    RequeuedRecord record;
    record.head = head;
    record.attempts = in.u32("attempts");
    record.worker_losses = in.u32("worker_losses");
    in.expect_end("requeued");
    return record;
}

FinalRecord read_final(Reader& in, const RecordHead& head, RecordType type) {
    FinalRecord final_record;
    final_record.head = head;
    TaskRecord& record = final_record.record;
    record.task_id = head.task_id.to_string();
    record.priority = read_priority(in);
    const std::uint8_t state = in.u8("state");
    record.state = static_cast<TaskState>(state);
    const std::uint8_t retryable = in.u8("retryable");
    record.retryable = retryable != 0;
    record.attempts = in.u32("attempts");
    record.submitted_at = in.time("submitted_at");
    record.started_at = in.time("started_at");
    record.finished_at = in.time("finished_at");
    record.task_name = read_task_name(in);
    record.worker_id = read_worker_id(in);
    record.error = in.long_string("error");
    final_record.result = in.rest();
    if (!in.ok()) return final_record;
    const bool is_cancel_record = type == RecordType::cancelled;
    const bool is_final_state = state <= static_cast<std::uint8_t>(TaskState::scheduled) &&
                                is_finished(static_cast<TaskState>(state));
    if (!is_final_state || (record.state == TaskState::cancelled) != is_cancel_record) {
        in.fail("state " + std::to_string(state) + " does not belong in a " +
                (is_cancel_record ? "cancelled" : "finished") + " record");
    } else if (retryable > 1) {
        in.fail("retryable " + std::to_string(retryable) + " is not 0 or 1");
    }
    return final_record;
}

}  // namespace

std::string encode_accepted_head(const AcceptedRecord& record) {
    Writer out(RecordType::accepted, record.head);
    out.put_u8(static_cast<std::uint8_t>(record.priority));
    out.put_time(record.submitted_at);
    out.put_u32(record.timeout_ms);
    out.put_u32(record.max_retries);
    out.put_u32(record.retry_backoff_ms);
    out.put_time(record.due);
    out.put_short_string(record.task_name);
    return out.take();
}

std::string encode_record(const StartedRecord& record) {
    Writer out(RecordType::started, record.head);
    out.put_u32(record.attempt);
    out.put_u32(record.worker_losses);
    out.put_time(record.started_at);
    out.put_short_string(record.worker_id);
    return out.take();
}

std::string encode_record(const ScheduledRecord& record) {
    Writer out(RecordType::scheduled, record.head);
    out.put_time(record.due);
    out.put_u32(record.attempts);
    out.put_u32(record.worker_losses);
    out.put_long_string(record.error);
    return out.take();
}

std::string encode_record(const RequeuedRecord& record) {
    Writer out(RecordType::requeued, record.head);
    out.put_u32(record.attempts);
    out.put_u32(record.worker_losses);
    return out.take();
}

std::string encode_final_head(const FinalRecord& final_record) {
    const TaskRecord& record = final_record.record;
    Writer out(record.state == TaskState::cancelled ? RecordType::cancelled : RecordType::finished,
               final_record.head);
    out.put_u8(static_cast<std::uint8_t>(record.priority));
    out.put_u8(static_cast<std::uint8_t>(record.state));
    out.put_u8(record.retryable ? 1 : 0);
    out.put_u32(record.attempts);
    out.put_time(record.submitted_at);
    out.put_time(record.started_at);
    out.put_time(record.finished_at);
    out.put_short_string(record.task_name);
    out.put_short_string(record.worker_id);
    out.put_long_string(record.error);
    return out.take();
}

std::string encode_record(const ForgottenRecord& record) {
    return Writer(RecordType::forgotten, record.head).take();
}

DecodedRecord decode_record(std::string_view body) {
    Reader in(body);
    RecordType type{};
    const RecordHead head = read_head(in, type);
    DecodedRecord decoded;
    if (!in.ok()) {
        decoded.error = in.error();
        return decoded;
    }
    switch (type) {
        case RecordType::accepted:
            decoded.record = read_accepted(in, head);
            break;
        case RecordType::started:
            decoded.record = read_started(in, head);
            break;
        case RecordType::finished:
        case RecordType::cancelled:
            decoded.record = read_final(in, head, type);
            break;
        case RecordType::scheduled:
            decoded.record = read_scheduled(in, head);
            break;
        case RecordType::requeued:
            decoded.record = read_requeued(in, head);
            break;
        case RecordType::forgotten:
            in.expect_end("forgotten");
            decoded.record = ForgottenRecord{head};
            break;
    }
    if (!in.ok()) {
        decoded.record.reset();
        decoded.error = in.error();
    }
    return decoded;
}

std::optional<std::pair<RecordType, RecordHead>> peek_record_head(std::string_view body) {
    Reader in(body.substr(0, kHeadBytes));
    RecordType type{};
    const RecordHead head = read_head(in, type);
    if (!in.ok()) return std::nullopt;
    return std::make_pair(type, head);
}

RecordHead head_of(const JournalRecord& record) {
    return std::visit([](const auto& held) { return held.head; }, record);
}

}  // namespace fastqueue

// Tests of runtime/control_plane/journal_records.cpp: every record type
// reads back as written, and a body from disk that is cut short, padded,
// of another version or type, or holds values out of range is refused with
// a reason rather than trusted.
#include "control_plane/journal_records.hpp"

#include <doctest/doctest.h>

#include <random>

namespace fastqueue {
namespace {

const TaskId kId = *TaskId::parse("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0ff");

Timestamp at_ns(std::int64_t ns) {
    return Timestamp(std::chrono::duration_cast<Timestamp::duration>(std::chrono::nanoseconds(ns)));
}

template <typename Record>
Record decoded_as(std::string_view body) {
    DecodedRecord decoded = decode_record(body);
    REQUIRE_MESSAGE(decoded.record.has_value(), decoded.error);
    REQUIRE(std::holds_alternative<Record>(*decoded.record));
    return std::get<Record>(*decoded.record);
}

AcceptedRecord sample_accepted() {
    AcceptedRecord record;
    record.head = {41, kId};
    record.task_name = "reports.build";
    record.priority = Priority::high;
    record.submitted_at = at_ns(1'790'000'000'123'456'789);
    record.timeout_ms = 3000;
    record.max_retries = 2;
    record.retry_backoff_ms = 250;
    record.due = at_ns(1'790'000'060'000'000'000);
    return record;
}

FinalRecord sample_final(TaskState state) {
    FinalRecord final_record;
    final_record.head = {97, kId};
    TaskRecord& record = final_record.record;
    record.task_id = kId.to_string();
    record.task_name = "reports.build";
    record.priority = Priority::low;
    record.state = state;
    record.error = state == TaskState::success ? "" : "disk on fire";
    record.retryable = state == TaskState::failure;
    record.attempts = 3;
    record.worker_id = "subworker-7";
    record.submitted_at = at_ns(1'790'000'000'000'000'001);
    record.started_at = at_ns(1'790'000'001'000'000'002);
    record.finished_at = at_ns(1'790'000'002'000'000'003);
    return final_record;
}

std::vector<std::string> sample_bodies() {
    std::vector<std::string> bodies;
    bodies.push_back(encode_accepted_head(sample_accepted()) + "{\"args\":[1,2]}");
    bodies.push_back(encode_record(StartedRecord{{42, kId}, 1, 0, "control-plane", at_ns(5)}));
    bodies.push_back(encode_record(ScheduledRecord{{43, kId}, at_ns(9), 1, 0, "timeout"}));
    bodies.push_back(encode_record(RequeuedRecord{{44, kId}, 2, 1}));
    bodies.push_back(encode_final_head(sample_final(TaskState::success)) + "[3]");
    bodies.push_back(encode_final_head(sample_final(TaskState::cancelled)));
    bodies.push_back(encode_record(ForgottenRecord{{45, kId}}));
    return bodies;
}

TEST_CASE("journal records: an accepted record reads back with its options and payload") {
    const std::string payload = std::string("{\"args\":[\"\\u0000\"]}") + std::string(1, '\0');
    const std::string body = encode_accepted_head(sample_accepted()) + payload;
    const auto record = decoded_as<AcceptedRecord>(body);
    const auto expected = sample_accepted();
    CHECK(record.head.sequence == 41);
    CHECK(record.head.task_id == kId);
    CHECK(record.task_name == expected.task_name);
    CHECK(record.priority == Priority::high);
    CHECK(record.submitted_at == expected.submitted_at);
    CHECK(record.timeout_ms == 3000);
    CHECK(record.max_retries == 2);
    CHECK(record.retry_backoff_ms == 250);
    CHECK(record.due == expected.due);
    CHECK(record.payload == payload);
}

TEST_CASE("journal records: an accepted record without a due time or payload reads back so") {
    AcceptedRecord accepted = sample_accepted();
    accepted.due = Timestamp{};
    const auto record = decoded_as<AcceptedRecord>(encode_accepted_head(accepted));
    CHECK(record.due == Timestamp{});
    CHECK(record.payload.empty());
}

TEST_CASE("journal records: started, scheduled, requeued and forgotten records read back") {
    const auto started =
        decoded_as<StartedRecord>(encode_record(StartedRecord{{7, kId}, 3, 2, "sw-1", at_ns(-5)}));
    CHECK(started.head.sequence == 7);
    CHECK(started.attempt == 3);
    CHECK(started.worker_losses == 2);
    CHECK(started.worker_id == "sw-1");
    CHECK(started.started_at == at_ns(-5));

    const auto scheduled = decoded_as<ScheduledRecord>(
        encode_record(ScheduledRecord{{8, kId}, at_ns(123), 2, 1, "connection reset"}));
    CHECK(scheduled.due == at_ns(123));
    CHECK(scheduled.attempts == 2);
    CHECK(scheduled.worker_losses == 1);
    CHECK(scheduled.error == "connection reset");

    const auto requeued = decoded_as<RequeuedRecord>(encode_record(RequeuedRecord{{9, kId}, 4, 2}));
    CHECK(requeued.attempts == 4);
    CHECK(requeued.worker_losses == 2);

    const auto forgotten =
        decoded_as<ForgottenRecord>(encode_record(ForgottenRecord{{UINT64_MAX, kId}}));
    CHECK(forgotten.head.sequence == UINT64_MAX);
    CHECK(forgotten.head.task_id == kId);
}

TEST_CASE("journal records: a final record reads back whole, in each final state") {
    for (TaskState state : {TaskState::success, TaskState::failure, TaskState::cancelled}) {
        CAPTURE(to_string(state));
        const FinalRecord written = sample_final(state);
        const std::string result = state == TaskState::success ? "{\"sum\":3}" : "";
        const std::string body = encode_final_head(written) + result;
        CHECK(static_cast<RecordType>(body[1]) ==
              (state == TaskState::cancelled ? RecordType::cancelled : RecordType::finished));
        const auto read = decoded_as<FinalRecord>(body);
        CHECK(read.head.sequence == 97);
        CHECK(read.record.task_id == kId.to_string());
        CHECK(read.record.task_name == written.record.task_name);
        CHECK(read.record.priority == Priority::low);
        CHECK(read.record.state == state);
        CHECK(read.record.error == written.record.error);
        CHECK(read.record.retryable == written.record.retryable);
        CHECK(read.record.attempts == 3);
        CHECK(read.record.worker_id == "subworker-7");
        CHECK(read.record.submitted_at == written.record.submitted_at);
        CHECK(read.record.started_at == written.record.started_at);
        CHECK(read.record.finished_at == written.record.finished_at);
        CHECK(read.result == result);
    }
}

TEST_CASE("journal records: peek_record_head names type, sequence and task of any record") {
    const auto bodies = sample_bodies();
    const RecordType types[] = {RecordType::accepted, RecordType::started,  RecordType::scheduled,
                                RecordType::requeued, RecordType::finished, RecordType::cancelled,
                                RecordType::forgotten};
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        const auto head = peek_record_head(bodies[i]);
        REQUIRE(head.has_value());
        CHECK(head->first == types[i]);
        CHECK(head->second.task_id == kId);
        CHECK(head->second.sequence == head_of(*decode_record(bodies[i]).record).sequence);
    }
    CHECK_FALSE(peek_record_head(bodies[0].substr(0, 25)).has_value());
}

TEST_CASE("journal records: every truncation of every record type is refused, not trusted") {
    for (const std::string& body : sample_bodies()) {
        const auto type = static_cast<RecordType>(body[1]);
        CAPTURE(static_cast<int>(type));
        // Accepted and final records end in a part of any length: only cuts
        // into their fixed fields can be told.
        std::size_t variable_tail = 0;
        if (type == RecordType::accepted) variable_tail = std::string("{\"args\":[1,2]}").size();
        if (type == RecordType::finished) variable_tail = 3;
        for (std::size_t size = 0; size + variable_tail < body.size(); ++size) {
            CAPTURE(size);
            DecodedRecord decoded = decode_record(std::string_view(body).substr(0, size));
            CHECK_FALSE(decoded.record.has_value());
            CHECK_FALSE(decoded.error.empty());
        }
    }
}

TEST_CASE("journal records: trailing bytes after a fixed-size record are refused") {
    for (const std::string& body : sample_bodies()) {
        const auto type = static_cast<RecordType>(body[1]);
        if (type == RecordType::accepted || type == RecordType::finished ||
            type == RecordType::cancelled) {
            continue;
        }
        CAPTURE(static_cast<int>(type));
        const DecodedRecord decoded = decode_record(body + "x");
        CHECK_FALSE(decoded.record.has_value());
        CHECK(decoded.error.find("unexpected byte") != std::string::npos);
    }
}

TEST_CASE("journal records: a bad version, type or field value is refused with its reason") {
    std::string body = encode_record(RequeuedRecord{{1, kId}, 1, 1});
    std::string other_version = body;
    other_version[0] = 2;
    CHECK(decode_record(other_version).error == "format version 2 is not 1");
    std::string unknown_type = body;
    unknown_type[1] = 9;
    CHECK(decode_record(unknown_type).error == "record type 9 is unknown");
    unknown_type[1] = 0;
    CHECK(decode_record(unknown_type).error == "record type 0 is unknown");

    std::string accepted = encode_accepted_head(sample_accepted());
    std::string bad_priority = accepted;
    bad_priority[26] = 4;
    CHECK(decode_record(bad_priority).error == "priority 4 is not 0..3");
    std::string bad_name = encode_accepted_head([] {
        auto record = sample_accepted();
        record.task_name = "no spaces allowed";
        return record;
    }());
    CHECK(decode_record(bad_name).error == "task name is not valid");

    const std::string final_body = encode_final_head(sample_final(TaskState::failure));
    std::string queued_final = final_body;
    queued_final[27] = static_cast<char>(TaskState::queued);
    CHECK(decode_record(queued_final).error == "state 0 does not belong in a finished record");
    std::string cancelled_as_finished = final_body;
    cancelled_as_finished[27] = static_cast<char>(TaskState::cancelled);
    CHECK(decode_record(cancelled_as_finished).error ==
          "state 4 does not belong in a finished record");
    std::string state_out_of_range = final_body;
    state_out_of_range[27] = 77;
    CHECK_FALSE(decode_record(state_out_of_range).record.has_value());
    std::string bad_retryable = final_body;
    bad_retryable[28] = 2;
    CHECK(decode_record(bad_retryable).error == "retryable 2 is not 0 or 1");

    CHECK_FALSE(decode_record(encode_record(StartedRecord{{1, kId}, 0, 0, "w", at_ns(1)}))
                    .record.has_value());
}

TEST_CASE("journal records: random bytes never decode into a record with bad fields") {
    std::mt19937 random(19);
    std::size_t decoded_count = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string body = sample_bodies()[static_cast<std::size_t>(round) % 7];
        // Flip a few random bytes past the version and type.
        const int flips = 1 + static_cast<int>(random() % 3);
        for (int i = 0; i < flips; ++i) {
            body[2 + random() % (body.size() - 2)] = static_cast<char>(random());
        }
        const DecodedRecord decoded = decode_record(body);
        CHECK(decoded.record.has_value() == decoded.error.empty());
        if (!decoded.record) continue;
        ++decoded_count;
        if (const auto* final_record = std::get_if<FinalRecord>(&*decoded.record)) {
            CHECK(is_finished(final_record->record.state));
        }
    }
    CHECK(decoded_count > 0);  // flips in free-form bytes (ids, errors, times) still decode
}

}  // namespace
}  // namespace fastqueue

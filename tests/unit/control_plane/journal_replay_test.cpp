// Tests of runtime/control_plane/journal_replay.cpp: what recovery makes of
// a task's records in whatever order compaction left them, which records it
// declares dead, and what it does with records it cannot read.
#include "control_plane/journal_replay.hpp"

#include <doctest/doctest.h>

namespace fastqueue {
namespace {

const TaskId kA = *TaskId::parse("00000000-0000-4000-8000-00000000000a");
const TaskId kB = *TaskId::parse("00000000-0000-4000-8000-00000000000b");

std::string accepted(const TaskId& id, std::uint64_t sequence, const std::string& payload = "p") {
    AcceptedRecord record;
    record.head = {sequence, id};
    record.task_name = "echo";
    return encode_accepted_head(record) + payload;
}

std::string started(const TaskId& id, std::uint64_t sequence, std::uint32_t attempt) {
    return encode_record(StartedRecord{{sequence, id}, attempt, 0, "w", Timestamp{}});
}

std::string final_record(const TaskId& id, std::uint64_t sequence, const std::string& result) {
    FinalRecord record;
    record.head = {sequence, id};
    record.record.task_name = "echo";
    record.record.state = TaskState::success;
    return encode_final_head(record) + result;
}

JournalLocation at(std::uint64_t segment, std::uint64_t offset) { return {segment, offset, 1}; }

std::size_t dead_at(const JournalReplay::Result& result, JournalLocation where) {
    std::size_t count = 0;
    for (const auto& dead : result.dead) {
        count += dead.segment == where.segment && dead.offset == where.offset ? 1 : 0;
    }
    return count;
}

TEST_CASE("JournalReplay: the newest state by sequence wins, whatever the file order") {
    JournalReplay replay;
    // The accepted record was moved by compaction past its started record.
    replay.add(started(kA, 5, 1), at(1, 16));
    replay.add(accepted(kB, 3), at(1, 40));
    replay.add(accepted(kA, 2, "payload of A"), at(2, 16));
    const auto result = replay.finish();
    REQUIRE(result.live.size() == 2);
    CHECK(result.live[0].id == kA);  // submission order: sequence 2 before 3
    CHECK(result.live[1].id == kB);
    REQUIRE(result.live[0].state);
    CHECK(std::holds_alternative<StartedRecord>(result.live[0].state->record));
    CHECK(result.live[0].accepted->payload == "payload of A");
    CHECK_FALSE(result.live[1].state);
    CHECK(result.dead.empty());
    CHECK(result.next_sequence == 6);
}

TEST_CASE("JournalReplay: a final record ends its task and kills its other records") {
    JournalReplay replay;
    replay.add(accepted(kA, 1), at(1, 16));
    replay.add(started(kA, 2, 1), at(1, 40));
    replay.add(final_record(kA, 3, "[42]"), at(2, 16));
    const auto result = replay.finish();
    CHECK(result.live.empty());
    REQUIRE(result.finished.size() == 1);
    CHECK(result.finished[0].final_record->result == "[42]");
    CHECK(result.finished[0].final_record->record.record.task_id == kA.to_string());
    CHECK(result.finished[0].accepted_segment == 1);
    CHECK(dead_at(result, at(1, 16)) == 1);
    CHECK(dead_at(result, at(1, 40)) == 1);
}

TEST_CASE("JournalReplay: an id submitted again after its record was dropped is live again") {
    JournalReplay replay;
    replay.add(accepted(kA, 1), at(1, 16));
    replay.add(final_record(kA, 2, "old"), at(1, 40));
    replay.add(accepted(kA, 7, "new"), at(3, 16));
    const auto result = replay.finish();
    CHECK(result.finished.empty());
    REQUIRE(result.live.size() == 1);
    CHECK(result.live[0].accepted->payload == "new");
    CHECK(dead_at(result, at(1, 16)) == 1);
    CHECK(dead_at(result, at(1, 40)) == 1);
}

TEST_CASE("JournalReplay: state records of an unknown task and unreadable records are dead") {
    JournalReplay replay;
    replay.add(started(kA, 4, 1), at(1, 16));
    replay.add("not a record", at(1, 60));
    replay.add(accepted(kB, 2).substr(0, 20), at(1, 90));
    const auto result = replay.finish();
    CHECK(result.live.empty());
    CHECK(result.finished.empty());
    CHECK(result.undecodable == 2);
    CHECK(result.first_error.find("segment 1 byte 60") == 0);
    CHECK(result.dead.size() == 3);
}

}  // namespace
}  // namespace fastqueue

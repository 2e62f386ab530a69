// journal_replay.hpp -- what the journal's records say about each task,
// gathered while the journal replays at start and resolved once it is done.
//
// Records arrive in file order, which is not always the order they were
// written in: compaction moves live records to the newest segment, past
// later records of the same task. So each record is judged by its sequence
// number (journal_records.hpp): per task id the newest accepted record names
// the current submission; a final record newer than it ends the task; else
// the newest state record newer than it (started, scheduled, requeued) is
// the task's state. Everything else is dead, and so are records that do not
// decode (counted, the first reason kept) and state records of tasks that
// have neither an accepted nor a final record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/task_id.hpp"
#include "control_plane/journal_records.hpp"
#include "journal/journal.hpp"

namespace fastqueue {

// A decoded record that owns its bytes (the replayed body is gone after the
// callback), and where it is. The records' views (payload, result) are
// empty: the strings beside them hold the bytes.
struct ReplayedAccepted {
    AcceptedRecord record;
    std::string payload;
    JournalLocation at;
};
struct ReplayedState {
    std::variant<StartedRecord, ScheduledRecord, RequeuedRecord> record;
    JournalLocation at;
    std::uint64_t sequence() const;
};
struct ReplayedFinal {
    FinalRecord record;
    std::string result;
    JournalLocation at;
};

// One task as the journal left it.
struct RecoveredTask {
    TaskId id;
    std::optional<ReplayedAccepted> accepted;   // live tasks: always
    std::optional<ReplayedState> state;         // live tasks: the latest state, if any
    std::optional<ReplayedFinal> final_record;  // finished tasks: always
    // The lowest segment that held an accepted record of this id: its
    // final record must outlive that segment (task_journal.hpp).
    std::uint64_t accepted_segment = 0;
};

class JournalReplay {
public:
    // Journal::ReplayFn.
    void add(std::string_view body, JournalLocation at);

    struct Result {
        std::vector<RecoveredTask> live;      // by submission (accepted sequence)
        std::vector<RecoveredTask> finished;  // by the final record's sequence
        std::vector<JournalLocation> dead;    // to release
        std::uint64_t next_sequence = 1;      // above every sequence seen
        std::size_t undecodable = 0;
        std::string first_error;  // of the first undecodable record, with its location
    };
    // Resolves what was added; leaves this empty.
    Result finish();

private:
    std::unordered_map<TaskId, RecoveredTask, TaskIdHash> tasks_;
    std::vector<JournalLocation> dead_;
    std::uint64_t max_sequence_ = 0;
    std::size_t undecodable_ = 0;
    std::string first_error_;
};

}  // namespace fastqueue

// task_journal.hpp -- the control plane's use of its journal
// (runtime/journal/): which task events become records, where each task's
// live records are, which records die when, and the rebuilding of the task
// table from the journal at start.
//
// Exists only with --journal-dir; without it the task table holds a null
// pointer and nothing here runs. The task table calls it on every change of
// state (TaskTable::transition() and, for a task that ends, TaskTable::end());
// the loop calls commit() once per turn, before it sends that turn's answers.
//
// Live records per task, kept in a side table (LiveTask stays small):
//   a live task: its accepted record (which holds the payload) and its latest
//     state record (started, scheduled or requeued), if any;
//   a finished task: its final record, until the result cache drops it.
// A record that a newer one supersedes is released once the newer one is
// written. A final record whose task left the cache is released only once
// the segment of the task's accepted record is gone (deleted by compaction):
// else a replay would find the accepted record without the record that
// ended it, and run the task again.
//
// Belongs to the control plane's I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "common/shared_bytes.hpp"
#include "common/task_id.hpp"
#include "config/settings.hpp"
#include "control_plane/journal_records.hpp"
#include "control_plane/journal_replay.hpp"
#include "control_plane/live_task.hpp"
#include "journal/journal.hpp"

namespace fastqueue {

class TaskTable;

class TaskJournal {
public:
    // Compaction: bytes of live records rewritten per call, and how often the
    // loop calls it.
    static constexpr std::uint64_t kCompactBudgetBytes = 4ull << 20;
    static constexpr std::chrono::milliseconds kCompactInterval{250};

    // Opens the journal of settings.journal_dir (throws what Journal::open
    // throws: JournalLockedError, JournalDamagedError, std::system_error),
    // rebuilds `tasks` from it (task_journal.cpp, recover()), attaches itself
    // to `tasks` and logs one line of what it recovered.
    static std::unique_ptr<TaskJournal> open(const ControlPlaneSettings& settings,
                                             TaskTable& tasks);
    ~TaskJournal();
    TaskJournal(const TaskJournal&) = delete;
    TaskJournal& operator=(const TaskJournal&) = delete;

    // --- From the task table (records pending until commit()).
    // A task was accepted (queued, or scheduled until `due` when set).
    void accepted(const TaskId& id, const LiveTask& task, Timestamp due);
    // The task's state changed to task.state (not a final one): started,
    // scheduled for a retry, or queued again after it started.
    void transitioned(const TaskId& id, const LiveTask& task);
    // The task ended with `record` and `result`.
    void finished(const TaskId& id, const TaskRecord& record, const SharedBytes& result);
    // From the result cache: the record of `id` is no longer kept.
    void forget(const TaskId& id);

    // --- From the loop.
    bool has_pending() const { return !pending_.empty(); }
    struct CommitResult {
        std::error_code error;        // none: everything pending is written
        std::vector<TaskId> refused;  // accepted tasks whose records were not written
    };
    // Writes what is pending. On failure nothing of it counts as written:
    // the accepted tasks among it are returned (the caller refuses them and
    // removes them from the table); the other records stay pending, for the
    // next commit().
    CommitResult commit() { return write_pending(/*may_sync=*/true); }
    // commit() without the sync of --journal-fsync always (Journal::write):
    // what it wrote survives a crash of the process; sync() then makes it
    // survive the machine's. The same as commit() in the other modes.
    CommitResult write() { return write_pending(/*may_sync=*/false); }
    // Syncs what write() wrote (always; nothing to do otherwise). An error
    // leaves it unsynced, for the next sync(). Call it after a write() that
    // succeeded: with records pending it syncs nothing and says so.
    std::error_code sync();
    bool has_unsynced() const { return journal_->has_unsynced(); }
    void sync_if_due() { journal_->sync_if_due(); }
    std::optional<std::chrono::steady_clock::time_point> next_sync_due() const {
        return journal_->next_sync_due();
    }
    // Compacts with kCompactBudgetBytes, when nothing is pending.
    void compact();
    const std::filesystem::path& dir() const { return dir_; }

private:
    struct Pending {
        TaskId id;
        RecordType type;
        JournalLocation at;
        std::string bytes;   // the encoded record (a final record's head); accepted: empty
        SharedBytes result;  // a final record's result
    };
    // Where a task's live records are.
    struct Locations {
        bool is_finished = false;
        bool has_state = false;
        JournalLocation first;               // live: accepted; finished: final
        JournalLocation second;              // live: state (has_state)
        std::uint64_t accepted_segment = 0;  // finished: see the file comment
    };

    TaskJournal(std::unique_ptr<Journal> journal, std::filesystem::path dir, TaskTable& tasks,
                std::uint64_t next_sequence);
    void recover(JournalReplay::Result&& replayed, std::chrono::steady_clock::time_point started);
    std::uint64_t next_sequence() { return next_sequence_++; }
    CommitResult write_pending(bool may_sync);
    void append_pending(Pending&& pending);
    void apply(const Pending& pending);
    void hold(JournalLocation at);
    void drop(JournalLocation at);
    void defer_release(JournalLocation final_at, std::uint64_t accepted_segment);
    void moved(std::string_view record, JournalLocation from, JournalLocation to);

    std::unique_ptr<Journal> journal_;
    std::filesystem::path dir_;
    TaskTable& tasks_;
    std::uint64_t next_sequence_;
    std::vector<Pending> pending_;
    std::unordered_map<TaskId, Locations, TaskIdHash> locations_;
    // Live records held, per segment: the lowest segment still needed.
    std::map<std::uint64_t, std::uint64_t> live_per_segment_;
    std::uint64_t newest_segment_ = 0;
    // Final records of forgotten tasks, waiting for their accepted record's
    // segment to go: by (segment, offset) of the final record.
    struct Deferred {
        JournalLocation at;
        std::uint64_t accepted_segment;
    };
    std::map<std::pair<std::uint64_t, std::uint64_t>, Deferred> deferred_;
    std::uint64_t released_below_ = 0;
};

}  // namespace fastqueue

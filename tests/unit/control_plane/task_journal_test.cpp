// task_journal_test.cpp -- the control plane's journal bookkeeping over a
// long run (runtime/control_plane/task_journal.cpp): while tasks flow and
// their records leave the result cache, compaction moves the records still
// live and deletes the rest, so the journal stays small; and what it kept
// rebuilds the same tasks, payloads included, in a fresh table.
#include "control_plane/task_journal.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "../journal/journal_test_support.hpp"
#include "common/uuid.hpp"
#include "control_plane/task_table.hpp"
#include "execution/execution_engine.hpp"

namespace fastqueue {
namespace {

using namespace std::chrono_literals;

struct IgnoringOutbox : TaskTableOutbox {
    void task_ended(int, zmq::message_t&, const TaskRecord&, const SharedBytes&) override {}
};

std::uint64_t directory_bytes(const std::filesystem::path& dir) {
    std::uint64_t bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_regular_file()) bytes += entry.file_size();
    }
    return bytes;
}

// A payload or result of `size` bytes that names `tag`, so that a mix-up
// between tasks shows.
std::string filler(const std::string& tag, std::size_t size) {
    std::string bytes = tag;
    while (bytes.size() < size) bytes += static_cast<char>('a' + bytes.size() % 26);
    return bytes;
}

// A table with its journal, as the control plane holds them.
struct JournaledTable {
    explicit JournaledTable(const ControlPlaneSettings& settings)
        : table(settings, outbox), journal(TaskJournal::open(settings, table)) {}

    TaskId submit(const std::string& payload, Timestamp due) {
        const TaskId id = *TaskId::parse(generate_uuid());
        LiveTask task;
        task.task_name = table.intern_task_name("echo");
        task.submitted_at = Clock::now();
        task.payload = HeldPayload(zmq::message_t(payload.data(), payload.size()));
        table.submit(id, std::move(task), due, Clock::now());
        return id;
    }
    // Runs every queued task here and ends it with a result.
    void run_all_queued(std::size_t result_bytes) {
        std::vector<TaskId> started;
        table.dispatch([&](const TaskId& id, LiveTask& task) {
            table.start(id, task, "here", false);
            started.push_back(id);
            return Placement::started;
        });
        REQUIRE_FALSE(journal->commit().error);
        for (const TaskId& id : started) {
            TaskOutcome outcome;
            outcome.task_id = id.to_string();
            outcome.state = TaskState::success;
            outcome.result = filler(id.to_string(), result_bytes);
            table.finish(std::move(outcome));
        }
        REQUIRE_FALSE(journal->commit().error);
    }

    IgnoringOutbox outbox;
    TaskTable table;
    std::unique_ptr<TaskJournal> journal;
};

TEST_CASE(
    "TaskJournal: compaction keeps what lives, the journal stays small, a restart gets it "
    "back") {
    test::JournalTempDir dir;
    ControlPlaneSettings settings;
    settings.journal_dir = dir.path();
    settings.journal_fsync = JournalFsync::never;
    settings.journal_segment_bytes = 64 * 1024;
    settings.result_cache_size = 10;  // older finished records leave the cache

    constexpr std::size_t kRounds = 40;
    constexpr std::size_t kTasksPerRound = 100;
    constexpr std::size_t kBytes = 1024;  // each payload and each result
    const Timestamp far_due = Clock::now() + 24h;
    std::vector<std::pair<TaskId, std::string>> kept;  // scheduled all along
    std::uint64_t largest = 0;
    {
        JournaledTable first(settings);
        for (int i = 0; i < 5; ++i) {
            const std::string payload = filler("kept-" + std::to_string(i), kBytes);
            kept.emplace_back(first.submit(payload, far_due), payload);
        }
        REQUIRE_FALSE(first.journal->commit().error);
        for (std::size_t round = 0; round < kRounds; ++round) {
            for (std::size_t i = 0; i < kTasksPerRound; ++i) {
                first.submit(filler("round-" + std::to_string(round), kBytes), Timestamp{});
            }
            REQUIRE_FALSE(first.journal->commit().error);
            first.run_all_queued(kBytes);
            for (int step = 0; step < 4; ++step) first.journal->compact();
            largest = std::max(largest, directory_bytes(dir.path()));
        }
        CHECK(first.table.cache().size() == 10);
    }
    // About 8 MiB went through the journal (a payload and a result per task);
    // what lives is 5 payloads and 10 results, some 16 KiB. The bound is
    // about twice that plus the segment being written; without compaction
    // every byte would still be on disk.
    const std::uint64_t written = kRounds * kTasksPerRound * 2 * kBytes;
    CHECK(written > 60 * settings.journal_segment_bytes);
    CHECK(largest < 3 * settings.journal_segment_bytes);

    JournaledTable second(settings);
    CHECK(second.table.live_count() == kept.size());
    CHECK(second.table.scheduled_count() == kept.size());
    CHECK(second.table.cache().size() == 10);
    for (const auto& [id, payload] : kept) {
        auto* entry = second.table.find(id);
        REQUIRE(entry != nullptr);
        CHECK(entry->second.state == TaskState::scheduled);
        CHECK(std::string(entry->second.payload.view()) == payload);
        REQUIRE(entry->second.history);
        CHECK(std::chrono::abs(entry->second.history->scheduled_for - far_due) < 1ms);
    }
}

}  // namespace
}  // namespace fastqueue

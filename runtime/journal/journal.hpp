// journal.hpp -- the control plane's durable log: an append-only sequence of
// records in numbered segment files under one directory, with one writer.
//
// The journal knows nothing of what a record means; its owner gives it bytes
// and later tells it which records are dead (release), and compaction keeps the
// files near the size of what is still live. Records are written in batches:
// append() only collects, commit() writes the batch with one writev and (by
// the sync mode) one fdatasync, so many records share one sync.
//
// On disk (docs/architecture.md, "The journal"): DIR/journal-<16 hex>.log,
// each a 16-byte header (magic "FQJOURN1", u32 format version, u32 reserved)
// followed by frames [u32 length][u32 CRC32C of the body][body], little-endian;
// DIR/LOCK is held with flock for the writer's life.
//
// Not thread-safe: one thread owns a Journal.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace fastqueue {

enum class JournalSync { always, interval, never };

struct JournalOptions {
    std::filesystem::path dir;
    JournalSync sync = JournalSync::always;
    std::chrono::milliseconds sync_interval{50};  // JournalSync::interval only
    std::uint64_t segment_bytes = 64ull << 20;    // --journal-segment-bytes
};

// Where a record is: its segment number, the offset of its frame, its body size.
struct JournalLocation {
    std::uint64_t segment = 0;
    std::uint64_t offset = 0;
    std::uint32_t size = 0;
};

// open(): another process holds the lock. what(): "journal DIR is in use by pid N on host H"
struct JournalLockedError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// open(): a record before the end of the journal is damaged. what() names the file and the
// byte offset, and says to run `fastqueue journal check DIR` / `fastqueue journal repair DIR`.
struct JournalDamagedError : std::runtime_error {
    JournalDamagedError(std::filesystem::path file, std::uint64_t offset, std::string what);
    std::filesystem::path file;
    std::uint64_t offset;
};

class Journal {
public:
    using ReplayFn = std::function<void(std::string_view record, JournalLocation at)>;
    // Creates DIR (0700) when missing, takes the lock, replays every intact record in append
    // order. A damaged or partial record at the end of the NEWEST segment (a crash mid-write)
    // is cut off (ftruncate) with one spdlog warning naming file, offset and bytes dropped;
    // damage anywhere else throws JournalDamagedError. std::system_error for I/O failures.
    static std::unique_ptr<Journal> open(const JournalOptions& options, const ReplayFn& replay);
    ~Journal();  // writes and syncs nothing it was not asked to; releases the lock
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Adds one record (the parts concatenated) to the pending batch; no I/O. The location
    // is where it will be once committed.
    JournalLocation append(std::initializer_list<std::string_view> parts);
    bool has_pending() const;
    // Writes the pending batch with as few writes as possible (writev), then: always ->
    // fdatasync before returning; interval -> fdatasync when sync_interval passed since the
    // last one (else the caller's timer calls sync_if_due()); never -> no sync. A segment
    // that reaches segment_bytes is synced, closed and a new one started (directory fsynced).
    // On failure (ENOSPC, EIO, EFBIG...) the batch is dropped, the file is cut back to its
    // last committed size, and the error is returned: nothing of the batch counts as written.
    // Later commits may succeed again (space freed).
    std::error_code commit();
    // commit() without the fdatasync that `always` adds: what it writes survives a crash of
    // the process (it is in the OS), not yet of the machine, until a later commit() -- which
    // syncs it even with nothing pending -- succeeds. Lets the caller act on what needs only
    // the first guarantee between the two. In the other modes, the same as commit().
    std::error_code write();
    // `always`: bytes written by write() and not yet synced.
    bool has_unsynced() const;
    // interval mode: syncs if unsynced writes are older than sync_interval.
    void sync_if_due();
    std::optional<std::chrono::steady_clock::time_point> next_sync_due() const;
    // The record at `at` is dead (superseded, or its task forgotten).
    void release(JournalLocation at);
    // Compaction: deletes closed segments whose records are all dead; then rewrites at most
    // budget_bytes of live records from the closed segment with the lowest live fraction,
    // if that is below one half: appends them to the current segment, calling moved() for
    // each (the owner updates where it keeps that record), commits, syncs, deletes the old
    // segment once all its live records moved. Cheap when there is nothing to do.
    using MovedFn =
        std::function<void(std::string_view record, JournalLocation from, JournalLocation to)>;
    void compact(const MovedFn& moved, std::uint64_t budget_bytes);
    struct Stats {
        std::uint64_t segments = 0, disk_bytes = 0, live_bytes = 0, live_records = 0;
    };
    Stats stats() const;

private:
    struct Impl;
    explicit Journal(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// `fastqueue journal check DIR` and `repair DIR` (runtime/journal/journal_check.hpp):
// both refuse while another process holds the lock; check reports every segment's intact
// records and each damaged range (file, offset, length); repair rewrites damaged segments
// keeping every intact record (resynchronising on the next frame whose length and CRC are
// valid) and keeps the original as `<name>.damaged`.

}  // namespace fastqueue

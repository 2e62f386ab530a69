// result_cache.hpp -- the records of finished tasks, kept for clients to
// read back by task id.
//
// Bounded three ways, and the least recently used record goes first whichever
// of the two size limits a put exceeds (a put and a successful get both count
// as a use):
//   - at most max_entries records;
//   - at most max_bytes bytes of records, each charged charge_bytes(record)
//     (0 means no byte limit);
//   - each record expires ttl after it was put. An expired record is never
//     returned, even before sweep_expired() removes it.
// A record whose charge alone is larger than max_bytes is not kept at all
// (put() returns false): keeping it would mean emptying the cache for one
// record and still exceeding the budget. It evicts nothing, but it does drop
// an older record under the same task id, which it was meant to replace.
//
// Only finished tasks belong here. The control plane keeps queued and running
// tasks in its own table of live tasks and puts a record here only once its
// task has finished, so no eviction or expiry can ever remove a task that is
// still queued or running. Not thread-safe: it belongs to the control plane's
// I/O thread.
//
// Records are found by the binary form of their task id (common/task_id.hpp):
// every record the control plane keeps has a canonical id, and a 16-byte key
// held in the index itself hashes and compares without reading the record.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/shared_bytes.hpp"
#include "common/task_id.hpp"
#include "fastqueue/task.hpp"

namespace fastqueue {

class ResultCache {
public:
    using SteadyClock = std::chrono::steady_clock;

    // What one record costs beside its strings: the TaskRecord and its expiry
    // time, its list node and its index entry, rounded up. A fixed figure so
    // that the charge does not depend on the standard library's layout.
    static constexpr std::size_t kEntryOverheadBytes = 256;

    // The approximate memory one record holds, as the byte limit counts it:
    // result + error + task_id + task_name + worker_id (their lengths in
    // bytes) + kEntryOverheadBytes. `result_bytes` is the result's length
    // when it is held apart from the record (put with a shared result).
    static std::size_t charge_bytes(const TaskRecord& record);
    static std::size_t charge_bytes(const TaskRecord& record, std::size_t result_bytes);

    // max_entries >= 1; ttl > 0 (otherwise std::invalid_argument: the
    // configuration checks user input before it gets here); max_bytes 0 means
    // no byte limit.
    ResultCache(std::size_t max_entries, std::chrono::seconds ttl, std::size_t max_bytes = 0);

    // Stores (or replaces) the record under record.task_id as the most
    // recently used, then evicts least recently used records until both
    // limits hold again. Returns false, and keeps nothing under that id, when
    // the record alone is charged more than max_bytes. record.task_id must be
    // a canonical UUID (std::invalid_argument otherwise: the callers only
    // hold validated ids, so another is a bug).
    bool put(TaskRecord record, SteadyClock::time_point now = SteadyClock::now());
    // The same, with the result bytes held apart and shared (record.result is
    // ignored): the control plane sends a finished task's RESULT from the
    // same bytes, so they are never copied.
    bool put(TaskRecord record, SharedBytes result,
             SteadyClock::time_point now = SteadyClock::now());

    // The record, counted as a use; std::nullopt when absent or expired (or,
    // for the text form, when the text is no canonical task id).
    std::optional<TaskRecord> get(const TaskId& task_id,
                                  SteadyClock::time_point now = SteadyClock::now());
    std::optional<TaskRecord> get(std::string_view task_id,
                                  SteadyClock::time_point now = SteadyClock::now());

    // True when a live (unexpired) record exists; not counted as a use.
    bool contains(const TaskId& task_id, SteadyClock::time_point now = SteadyClock::now()) const;
    bool contains(std::string_view task_id, SteadyClock::time_point now = SteadyClock::now()) const;

    // Removes every expired record; returns how many it removed.
    std::size_t sweep_expired(SteadyClock::time_point now = SteadyClock::now());

    // Records held, counting expired ones not yet swept or read.
    std::size_t size() const;
    // The charges of those records, summed; never more than max_bytes()
    // when there is a byte limit.
    std::size_t size_bytes() const;
    std::size_t max_entries() const;
    std::size_t max_bytes() const;  // 0: no byte limit
    std::chrono::seconds ttl() const;

    // Called with the id of every record that leaves the cache (evicted,
    // expired, replaced), after it left; none by default. The control
    // plane's journal uses it to let the record's copy on disk go.
    using DropHook = std::function<void(const TaskId& task_id)>;
    void set_drop_hook(DropHook hook) { drop_hook_ = std::move(hook); }

private:
    struct Entry {
        TaskId id;          // record.task_id in binary form: its index key
        TaskRecord record;  // without its result
        SharedBytes result;
        SteadyClock::time_point expires_at;
        std::size_t charge_bytes;  // charge_bytes(record), fixed while the entry lives
    };
    using Lru = std::list<Entry>;  // front = most recently used

    bool is_over_limits() const;
    // Removes the node and its index entry and gives back its charge.
    void erase(Lru::iterator node);

    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::chrono::seconds ttl_;
    Lru lru_;
    std::unordered_map<TaskId, Lru::iterator, TaskIdHash> index_;
    std::size_t size_bytes_ = 0;  // sum of lru_ entries' charge_bytes
    DropHook drop_hook_;
};

}  // namespace fastqueue

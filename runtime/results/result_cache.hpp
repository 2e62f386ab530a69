// result_cache.hpp -- the records of finished tasks, kept for clients to
// read back by task id.
//
// Bounded two ways: at most max_entries records, the least recently used
// evicted first (a put and a successful get both count as a use), and each
// record expires ttl after it was put. An expired record is never returned,
// even before sweep_expired() removes it. Not thread-safe: it belongs to the
// control plane's I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fastqueue/task.hpp"

namespace fastqueue {

class ResultCache {
public:
    using SteadyClock = std::chrono::steady_clock;

    // max_entries >= 1; ttl > 0 (otherwise std::invalid_argument: the
    // configuration checks user input before it gets here).
    ResultCache(std::size_t max_entries, std::chrono::seconds ttl);

    // Stores (or replaces) the record under record.task_id as the most
    // recently used; evicts the least recently used record when full.
    void put(TaskRecord record, SteadyClock::time_point now = SteadyClock::now());

    // The record, counted as a use; std::nullopt when absent or expired.
    std::optional<TaskRecord> get(std::string_view task_id,
                                  SteadyClock::time_point now = SteadyClock::now());

    // True when a live (unexpired) record exists; not counted as a use.
    bool contains(std::string_view task_id,
                  SteadyClock::time_point now = SteadyClock::now()) const;

    // Removes every expired record; returns how many it removed.
    std::size_t sweep_expired(SteadyClock::time_point now = SteadyClock::now());

    // Records held, counting expired ones not yet swept or read.
    std::size_t size() const;
    std::size_t max_entries() const;
    std::chrono::seconds ttl() const;

private:
    struct Entry {
        TaskRecord record;
        SteadyClock::time_point expires_at;
    };
    using Lru = std::list<Entry>;  // front = most recently used

    std::size_t max_entries_;
    std::chrono::seconds ttl_;
    Lru lru_;
    std::unordered_map<std::string_view, Lru::iterator> index_;  // keys view lru_ records' task_id
};

}  // namespace fastqueue

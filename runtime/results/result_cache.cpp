// result_cache.cpp -- the LRU + TTL store of task records behind ResultCache.
//
// Records live in one list, most recently used at the front; a hash index maps
// the binary task id to list node. Each node carries the charge
// it was put with, so the byte total goes down by exactly what went up. Every
// operation but sweep_expired() is O(1), amortised over the evictions a put
// makes.
#include "results/result_cache.hpp"

#include <iterator>
#include <stdexcept>
#include <utility>

namespace fastqueue {

namespace {

// now + ttl, saturated so a very long ttl cannot overflow the clock.
ResultCache::SteadyClock::time_point expiry_for(ResultCache::SteadyClock::time_point now,
                                                std::chrono::seconds ttl) {
    using TimePoint = ResultCache::SteadyClock::time_point;
    const auto headroom = TimePoint::max() - now;
    if (std::chrono::duration_cast<std::chrono::seconds>(headroom) <= ttl) return TimePoint::max();
    return now + ttl;
}

bool is_expired(ResultCache::SteadyClock::time_point expires_at,
                ResultCache::SteadyClock::time_point now) {
    return now >= expires_at;
}

}  // namespace

std::size_t ResultCache::charge_bytes(const TaskRecord& record) {
    return charge_bytes(record, record.result.size());
}

std::size_t ResultCache::charge_bytes(const TaskRecord& record, std::size_t result_bytes) {
    return result_bytes + record.error.size() + record.task_id.size() + record.task_name.size() +
           record.worker_id.size() + kEntryOverheadBytes;
}

ResultCache::ResultCache(std::size_t max_entries, std::chrono::seconds ttl, std::size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes), ttl_(ttl) {
    // Configuration validates user input; reaching here with these is a bug.
    if (max_entries_ == 0) throw std::invalid_argument("ResultCache: max_entries must be >= 1");
    if (ttl_ <= std::chrono::seconds::zero()) {
        throw std::invalid_argument("ResultCache: ttl must be > 0 seconds");
    }
    index_.reserve(max_entries_);
}

bool ResultCache::put(TaskRecord record, SteadyClock::time_point now) {
    SharedBytes result = SharedBytes::from_string(std::move(record.result));
    record.result.clear();
    return put(std::move(record), std::move(result), now);
}

bool ResultCache::put(TaskRecord record, SharedBytes result, SteadyClock::time_point now) {
    const auto id = TaskId::parse(record.task_id);
    if (!id) throw std::invalid_argument("ResultCache::put: task id is not a canonical UUID");
    // Replacing: drop the old node whole. It goes even when the new record is
    // not kept: it is out of date.
    if (auto it = index_.find(*id); it != index_.end()) erase(it->second);

    record.result.clear();
    const std::size_t charge = charge_bytes(record, result.size());
    if (max_bytes_ != 0 && charge > max_bytes_) return false;

    lru_.push_front(
        Entry{*id, std::move(record), std::move(result), expiry_for(now, ttl_), charge});
    index_.emplace(*id, lru_.begin());
    size_bytes_ += charge;
    // Stops at the new record at the latest: alone, it fits both limits.
    while (is_over_limits()) erase(std::prev(lru_.end()));
    return true;
}

std::optional<TaskRecord> ResultCache::get(std::string_view task_id, SteadyClock::time_point now) {
    const auto id = TaskId::parse(task_id);
    if (!id) return std::nullopt;
    return get(*id, now);
}

std::optional<TaskRecord> ResultCache::get(const TaskId& task_id, SteadyClock::time_point now) {
    auto it = index_.find(task_id);
    if (it == index_.end()) return std::nullopt;
    Lru::iterator node = it->second;
    if (is_expired(node->expires_at, now)) {
        erase(node);
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, node);  // iterators stay valid
    TaskRecord record = node->record;
    record.result = std::string(node->result.view());
    return record;
}

bool ResultCache::contains(std::string_view task_id, SteadyClock::time_point now) const {
    const auto id = TaskId::parse(task_id);
    return id && contains(*id, now);
}

bool ResultCache::contains(const TaskId& task_id, SteadyClock::time_point now) const {
    auto it = index_.find(task_id);
    return it != index_.end() && !is_expired(it->second->expires_at, now);
}

std::size_t ResultCache::sweep_expired(SteadyClock::time_point now) {
    std::size_t removed = 0;
    for (auto node = lru_.begin(); node != lru_.end();) {
        if (is_expired(node->expires_at, now)) {
            erase(node++);
            ++removed;
        } else {
            ++node;
        }
    }
    return removed;
}

bool ResultCache::is_over_limits() const {
    return lru_.size() > max_entries_ || (max_bytes_ != 0 && size_bytes_ > max_bytes_);
}

void ResultCache::erase(Lru::iterator node) {
    size_bytes_ -= node->charge_bytes;
    const TaskId id = node->id;
    index_.erase(id);
    lru_.erase(node);
    if (drop_hook_) drop_hook_(id);
}

std::size_t ResultCache::size() const { return lru_.size(); }

std::size_t ResultCache::size_bytes() const { return size_bytes_; }

std::size_t ResultCache::max_entries() const { return max_entries_; }

std::size_t ResultCache::max_bytes() const { return max_bytes_; }

std::chrono::seconds ResultCache::ttl() const { return ttl_; }

}  // namespace fastqueue

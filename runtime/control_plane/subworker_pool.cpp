// subworker_pool.cpp -- see subworker_pool.hpp.
#include "control_plane/subworker_pool.hpp"

#include <algorithm>

namespace fastqueue {

std::uint32_t prefetch_window(std::uint32_t capacity, std::uint32_t prefetch,
                              std::optional<std::chrono::nanoseconds> mean_run_time) {
    if (!mean_run_time) return std::min(prefetch, kInitialPrefetchWindow);
    // Tasks that keep `capacity` handlers busy for the budget, rounded up.
    const std::int64_t run_ns = std::max<std::int64_t>(mean_run_time->count(), 1);
    const std::int64_t budget_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(kPrefetchBudget).count();
    const std::int64_t tasks = (std::int64_t{capacity} * budget_ns + run_ns - 1) / run_ns;
    return static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(tasks, std::min<std::int64_t>(prefetch, 1), prefetch));
}

bool SubworkerPool::LoadOrder::operator()(const SubworkerEntry* a, const SubworkerEntry* b) const {
    // a.in_flight / a.capacity < b.in_flight / b.capacity, without division.
    const std::uint64_t load_a = std::uint64_t{a->in_flight} * b->capacity;
    const std::uint64_t load_b = std::uint64_t{b->in_flight} * a->capacity;
    if (load_a != load_b) return load_a < load_b;
    if (a->last_dispatch_sequence != b->last_dispatch_sequence) {
        return a->last_dispatch_sequence < b->last_dispatch_sequence;
    }
    return a->worker_id < b->worker_id;
}

bool SubworkerPool::SilenceOrder::operator()(const SubworkerEntry* a,
                                             const SubworkerEntry* b) const {
    if (a->last_heard != b->last_heard) return a->last_heard < b->last_heard;
    return a->worker_id < b->worker_id;
}

std::size_t SubworkerPool::acquire_capability_class(
    const std::unordered_set<std::string>& task_names) {
    std::vector<std::string> key(task_names.begin(), task_names.end());
    std::sort(key.begin(), key.end());
    auto [it, is_new] = class_by_task_set_.try_emplace(std::move(key), 0);
    if (is_new) {
        if (free_classes_.empty()) {
            it->second = dispatchable_by_class_.size();
            dispatchable_by_class_.emplace_back();
            class_entry_counts_.push_back(0);
            class_keys_.push_back(it);
        } else {
            it->second = free_classes_.back();
            free_classes_.pop_back();
            class_keys_[it->second] = it;
        }
        for (const auto& name : it->first) classes_by_task_[name].push_back(it->second);
    }
    ++class_entry_counts_[it->second];
    return it->second;
}

void SubworkerPool::release_capability_class(std::size_t index) {
    if (--class_entry_counts_[index] > 0) return;
    const auto key = class_keys_[index];
    for (const auto& name : key->first) {
        auto classes = classes_by_task_.find(name);
        if (classes == classes_by_task_.end()) continue;
        auto& indexes = classes->second;
        indexes.erase(std::remove(indexes.begin(), indexes.end(), index), indexes.end());
        if (indexes.empty()) classes_by_task_.erase(classes);
    }
    class_by_task_set_.erase(key);
    class_keys_[index] = class_by_task_set_.end();
    free_classes_.push_back(index);
}

template <typename Change>
void SubworkerPool::reorder(SubworkerEntry& entry, Change&& change) {
    auto& dispatchable = dispatchable_by_class_[entry.capability_class];
    const bool is_dispatchable = dispatchable.erase(&entry) > 0;
    const bool was_holding = entry.in_flight > 0;
    change();
    if (is_dispatchable) dispatchable.insert(&entry);
    if ((entry.in_flight > 0) != was_holding) ++holding_changes_;
}

void SubworkerPool::make_dispatchable(SubworkerEntry& entry) {
    if (!dispatchable_by_class_[entry.capability_class].insert(&entry).second) return;
    ++dispatchable_count_;
    for (const auto& name : entry.task_names) ++capable_counts_[name];
}

void SubworkerPool::make_undispatchable(SubworkerEntry& entry) {
    if (dispatchable_by_class_.empty() ||
        dispatchable_by_class_[entry.capability_class].erase(&entry) == 0) {
        return;
    }
    --dispatchable_count_;
    for (const auto& name : entry.task_names) {
        auto it = capable_counts_.find(name);
        if (it != capable_counts_.end() && --it->second == 0) capable_counts_.erase(it);
    }
}

std::size_t task_list_charge(const std::vector<std::string>& task_names) {
    std::size_t bytes = 0;
    for (const auto& name : task_names) bytes += name.size() + kTaskNameOverheadBytes;
    return bytes;
}

SubworkerEntry& SubworkerPool::upsert(protocol::Register&& registration, zmq::message_t routing_id,
                                      SteadyClock::time_point now) {
    auto [it, is_new] = entries_.try_emplace(registration.worker_id);
    SubworkerEntry& entry = it->second;
    const std::size_t old_class = entry.capability_class;
    if (!is_new) {
        make_undispatchable(entry);
        inactive_.erase(&entry);
    }
    entry.worker_id = std::move(registration.worker_id);
    entry.address = std::move(registration.address);
    entry.capacity = registration.capacity;
    entry.prefetch = registration.prefetch;
    entry.max_payload_bytes = registration.max_payload_bytes.value_or(0);
    entry.mean_run_time.reset();  // a new process: its tasks may differ
    entry.window = prefetch_window(entry.capacity, entry.prefetch, entry.mean_run_time);
    task_list_bytes_ -= entry.task_list_bytes;
    entry.task_list_bytes = task_list_charge(registration.task_names);
    task_list_bytes_ += entry.task_list_bytes;
    entry.task_names =
        std::unordered_set<std::string>(std::make_move_iterator(registration.task_names.begin()),
                                        std::make_move_iterator(registration.task_names.end()));
    // The new class first: a subworker registering the same tasks again
    // keeps its class.
    entry.capability_class = acquire_capability_class(entry.task_names);
    if (!is_new) release_capability_class(old_class);
    entry.management_routing_id = std::move(routing_id);
    entry.is_active = true;
    entry.is_leaving = false;
    if (entry.in_flight > 0) ++holding_changes_;
    entry.in_flight = 0;
    entry.reported_load = 0;
    entry.assigned_tasks.clear();
    entry.payload_bytes_in_flight = 0;
    entry.shortfall_heartbeats = 0;
    mark_heard(entry, now);
    make_dispatchable(entry);
    return entry;
}

std::uint64_t SubworkerPool::note_heartbeat(SubworkerEntry& entry,
                                            const protocol::Heartbeat& heartbeat,
                                            SteadyClock::time_point now) {
    mark_heard(entry, now);
    entry.reported_load = heartbeat.load;
    const std::uint64_t restarts = heartbeat.task_process_restarts.value_or(0);
    const std::uint64_t grown =
        restarts > entry.task_process_restarts ? restarts - entry.task_process_restarts : 0;
    entry.task_process_restarts = restarts;
    return grown;
}

SubworkerEntry* SubworkerPool::find(const std::string& worker_id) {
    auto it = entries_.find(worker_id);
    return it == entries_.end() ? nullptr : &it->second;
}

void SubworkerPool::mark_heard(SubworkerEntry& entry, SteadyClock::time_point now) {
    // An inactive entry (one that deregistered, still answering) moves
    // within inactive_, which is ordered by last_heard.
    const bool is_inactive = inactive_.erase(&entry) > 0;
    entry.last_heard = now;
    entry.last_seen = Clock::now();
    if (is_inactive) inactive_.insert(&entry);
}

void SubworkerPool::mark_leaving(SubworkerEntry& entry) {
    make_undispatchable(entry);
    entry.is_leaving = true;
}

void SubworkerPool::mark_inactive(SubworkerEntry& entry) {
    make_undispatchable(entry);
    entry.is_active = false;
    entry.is_leaving = false;
    inactive_.insert(&entry);
}

void SubworkerPool::remove(const std::string& worker_id) {
    auto it = entries_.find(worker_id);
    if (it == entries_.end()) return;
    SubworkerEntry& entry = it->second;
    make_undispatchable(entry);
    inactive_.erase(&entry);
    release_capability_class(entry.capability_class);
    if (entry.in_flight > 0) ++holding_changes_;
    task_list_bytes_ -= entry.task_list_bytes;
    entries_.erase(it);
}

SubworkerEntry* SubworkerPool::longest_silent_inactive() {
    return inactive_.empty() ? nullptr : *inactive_.begin();
}

std::vector<std::string> SubworkerPool::inactive_silent_since(SteadyClock::time_point now,
                                                              SteadyClock::duration silence) const {
    std::vector<std::string> silent;
    for (const SubworkerEntry* entry : inactive_) {
        if (now - entry->last_heard <= silence) break;
        silent.push_back(entry->worker_id);
    }
    return silent;
}

bool SubworkerPool::has_capable(const std::string& task_name) const {
    return capable_counts_.count(task_name) > 0;
}

bool SubworkerPool::is_offered(const std::string& task_name) const {
    // A capability class lives while some entry, active or not, has its set.
    return classes_by_task_.count(task_name) > 0;
}

SubworkerEntry* SubworkerPool::pick(const std::string& task_name) {
    // The least loaded of each capable class's first entry with room. Full
    // entries are skipped; a full entry has the highest load among those of
    // the same capacity and prefetch window, so it sorts late.
    auto classes = classes_by_task_.find(task_name);
    if (classes == classes_by_task_.end()) return nullptr;
    SubworkerEntry* best = nullptr;
    for (const std::size_t index : classes->second) {
        for (SubworkerEntry* entry : dispatchable_by_class_[index]) {
            if (!entry->has_room()) continue;
            if (best == nullptr || LoadOrder{}(entry, best)) best = entry;
            break;
        }
    }
    return best;
}

void SubworkerPool::assign(SubworkerEntry& entry, const std::string& task_id,
                           std::size_t payload_bytes) {
    reorder(entry, [&] {
        entry.in_flight += 1;
        entry.last_dispatch_sequence = ++dispatch_sequence_;
        entry.assigned_tasks.emplace(task_id,
                                     AssignedTask{payload_bytes, kNotAcknowledged, /*resends=*/0,
                                                  entry.heartbeats_received});
        entry.payload_bytes_in_flight += payload_bytes;
    });
}

bool SubworkerPool::unassign(SubworkerEntry& entry, const std::string& task_id) {
    auto it = entry.assigned_tasks.find(task_id);
    if (it == entry.assigned_tasks.end()) return false;
    reorder(entry, [&] {
        entry.payload_bytes_in_flight -= it->second.payload_bytes;
        entry.assigned_tasks.erase(it);
        entry.in_flight -= 1;
    });
    return true;
}

void SubworkerPool::record_run_time(SubworkerEntry& entry, Timestamp started_at,
                                    Timestamp finished_at) {
    if (started_at == Timestamp{} || finished_at == Timestamp{} || finished_at < started_at) return;
    // The difference of two valid timestamps can exceed what a signed 64-bit
    // count of nanoseconds holds; unsigned subtraction of the ordered pair
    // cannot overflow.
    const auto span = static_cast<std::uint64_t>(finished_at.time_since_epoch().count()) -
                      static_cast<std::uint64_t>(started_at.time_since_epoch().count());
    const auto limit = static_cast<std::uint64_t>(
        std::chrono::duration_cast<Timestamp::duration>(kMaxCountedRunTime).count());
    const auto run_time = std::chrono::duration_cast<std::chrono::nanoseconds>(
        Timestamp::duration(static_cast<Timestamp::rep>(std::min(span, limit))));
    // Weight 1/8: a change in the task mix moves the window within a few
    // dozen results, one odd task barely.
    constexpr std::int64_t kWeight = 8;
    entry.mean_run_time = entry.mean_run_time
                              ? *entry.mean_run_time + (run_time - *entry.mean_run_time) / kWeight
                              : run_time;
    entry.window = prefetch_window(entry.capacity, entry.prefetch, entry.mean_run_time);
}

std::vector<std::string> SubworkerPool::take_in_flight(SubworkerEntry& entry) {
    std::vector<std::string> task_ids;
    task_ids.reserve(entry.assigned_tasks.size());
    for (const auto& [task_id, assigned] : entry.assigned_tasks) task_ids.push_back(task_id);
    reorder(entry, [&] {
        entry.assigned_tasks.clear();
        entry.payload_bytes_in_flight = 0;
        entry.in_flight = 0;
    });
    return task_ids;
}

std::vector<SubworkerEntry*> SubworkerPool::silent_since(SteadyClock::time_point now,
                                                         SteadyClock::duration silence) {
    std::vector<SubworkerEntry*> silent;
    for (auto& [id, entry] : entries_) {
        if (entry.is_active && now - entry.last_heard > silence) silent.push_back(&entry);
    }
    return silent;
}

std::vector<SubworkerEntry*> SubworkerPool::entries() {
    std::vector<SubworkerEntry*> all;
    all.reserve(entries_.size());
    for (auto& [id, entry] : entries_) all.push_back(&entry);
    return all;
}

std::size_t SubworkerPool::tasks_in_flight() const {
    std::size_t total = 0;
    for (const auto& [id, entry] : entries_) total += entry.in_flight;
    return total;
}

SubworkerPoolStatus SubworkerPool::status() const {
    SubworkerPoolStatus status;
    for (const auto& [id, entry] : entries_) {
        SubworkerInfo info;
        info.address = entry.address;
        info.is_active = entry.is_active && !entry.is_leaving;
        info.load = entry.in_flight;
        info.capacity = entry.capacity;
        info.prefetch_window = entry.window;
        info.tasks_completed = entry.tasks_completed;
        info.task_process_restarts = entry.task_process_restarts;
        info.last_seen = entry.last_seen;
        if (info.is_active) ++status.active_subworkers;
        status.subworkers.emplace(id, std::move(info));
    }
    status.total_subworkers = status.subworkers.size();
    return status;
}

}  // namespace fastqueue

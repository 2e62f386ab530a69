// subworker_pool.hpp -- the control plane's table of subworkers: who is
// registered, who is active, what each can run, how loaded each is, and the
// least-load choice of where a task goes.
//
// Load is tasks in flight on a subworker relative to its capacity
// (in_flight / capacity). pick() returns the active subworker with the lowest
// load that can run the task and still has room (in_flight < capacity +
// prefetch window); ties go to the one that was dispatched to least recently,
// which is round-robin among equals.
//
// The prefetch window is how many tasks a subworker is sent beyond its
// capacity. It adapts to how long that subworker's tasks run (measured from
// the start and end times of its RESULTs): enough to keep about
// kPrefetchBudget of work waiting there, at least 1, at most the prefetch it
// registered. Short tasks then stream without a round trip between them,
// while long ones wait at the control plane, where any subworker (also one
// added later) can take them. Before a subworker's first result the window
// is min(prefetch, kInitialPrefetchWindow); a prefetch of 0 is always 0.
// Beyond its capacity a subworker is also sent a task only while the
// payloads it holds total less than kPrefetchPayloadBudget, so that short
// tasks with large payloads cannot pile a window's worth of them there.
//
// Subworkers that registered the same set of task names form a capability
// class, and each class keeps its active subworkers in a set ordered by
// (load, last dispatch). pick() looks at the first subworker with room in
// each class that can run the task and takes the least loaded of those, and
// a dispatch or an end moves one subworker within its own class's set: both
// O(c log n) for n subworkers in c classes that can run the task, however
// the fleet's task sets are mixed (tools/bench/dispatch_bench.cpp measures
// it). A class lives while some entry, active or not, has its task set.
//
// Entries are kept until remove(): the caller bounds their number (size())
// and the memory their task lists take (task_list_bytes()), and forgets
// inactive ones, which the pool keeps ordered by silence
// (longest_silent_inactive(), inactive_silent_since()) so that finding
// them costs no scan of the table.
//
// Not thread-safe: it belongs to the control plane's I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fastqueue/subworker_status.hpp"
#include "protocol/messages.hpp"

namespace fastqueue {

// Work the control plane lets wait at a subworker beyond what it runs.
inline constexpr std::chrono::milliseconds kPrefetchBudget{10};
// The window before a subworker's run times are known.
inline constexpr std::uint32_t kInitialPrefetchWindow = 2;
// Payload bytes a subworker may hold before it is sent a task beyond its
// capacity (see the file comment).
inline constexpr std::size_t kPrefetchPayloadBudget = std::size_t{16} << 20;
// Longer run times count as this (any run this long already gives a window
// of 1), so that the mean's arithmetic cannot overflow whatever a subworker
// reports.
inline constexpr std::chrono::hours kMaxCountedRunTime{1};

// The prefetch window for this capacity, registered prefetch and mean run
// time (std::nullopt: none measured yet). See the file comment.
std::uint32_t prefetch_window(std::uint32_t capacity, std::uint32_t prefetch,
                              std::optional<std::chrono::nanoseconds> mean_run_time);

// A SubworkerEntry::heartbeats_received that no ACK carries: the task's
// latest SUBMIT is not acknowledged yet.
inline constexpr std::uint64_t kNotAcknowledged = UINT64_MAX;

// One task in flight on a subworker.
struct AssignedTask {
    std::size_t payload_bytes = 0;
    // The entry's heartbeats_received when the ACK of the task's latest
    // SUBMIT arrived; kNotAcknowledged until then (result_reconciliation.hpp).
    std::uint64_t acknowledged_at = kNotAcknowledged;
    // Times its SUBMIT was sent again since the subworker's heartbeats last
    // accounted for it.
    std::uint32_t resends = 0;
    // The entry's heartbeats_received when its latest SUBMIT was sent.
    std::uint64_t sent_at = 0;
};

// One registered subworker. Owned by the pool; pointers stay valid until
// remove() (entries live in a node-based map).
struct SubworkerEntry {
    std::string worker_id;
    std::string address;  // its base address: SUBMIT goes to base+priority
    // Its CURVE public key (Z85) as the management port's ZAP handler
    // admitted it; empty for a plaintext subworker. Its task ports are then
    // CURVE servers with this key.
    std::string curve_key;
    std::uint32_t capacity = 1;
    std::uint32_t prefetch = 0;  // the most it accepts beyond capacity (REGISTER)
    // Its REGISTER's max_payload_bytes; 0 when it sent none.
    std::size_t max_payload_bytes = 0;
    // Tasks it is sent beyond capacity now (prefetch_window()); follows
    // mean_run_time.
    std::uint32_t window = 0;
    // Exponentially weighted mean of its tasks' run times; none before its
    // first RESULT.
    std::optional<std::chrono::nanoseconds> mean_run_time;
    std::unordered_set<std::string> task_names;
    zmq::message_t management_routing_id;  // its DEALER on the management port

    bool is_active = false;           // registered and heard from within the liveness window
    bool is_leaving = false;          // sent DEREGISTER: no new tasks, running ones finish
    std::uint32_t in_flight = 0;      // tasks the control plane has sent and not seen end
    std::uint32_t reported_load = 0;  // what its last heartbeat said
    std::uint64_t tasks_completed = 0;
    // Its executor processes started again after one died or was killed, as
    // its last heartbeat said (0 from a subworker that does not report it).
    // Kept across a registration again: its next heartbeat says.
    std::uint64_t task_process_restarts = 0;
    std::uint64_t last_dispatch_sequence = 0;
    std::chrono::steady_clock::time_point last_heard{};
    Timestamp last_seen{};  // wall clock of last_heard, for people
    // The in-flight tasks, with their payload sizes, and those sizes' sum.
    std::unordered_map<std::string, AssignedTask> assigned_tasks;
    std::size_t payload_bytes_in_flight = 0;
    // HEARTBEATs taken in since it was added, and how many in a row counted
    // fewer tasks than it had acknowledged (result_reconciliation.hpp).
    std::uint64_t heartbeats_received = 0;
    std::uint32_t shortfall_heartbeats = 0;
    std::size_t capability_class = 0;  // the pool's index of its set of task names
    std::size_t task_list_bytes = 0;   // task_list_charge() of its task names

    bool can_run(const std::string& task_name) const { return task_names.count(task_name) > 0; }
    // A free handler thread, or room in the window and the payload budget.
    bool has_room() const {
        return in_flight < capacity ||
               (in_flight < capacity + window && payload_bytes_in_flight < kPrefetchPayloadBudget);
    }
};

// What the pool charges for holding a list of task names: each name's
// length plus kTaskNameOverheadBytes, roughly what its copies in the entry's
// set and the capability class tables cost. Bounds memory, not exact.
inline constexpr std::size_t kTaskNameOverheadBytes = 128;
// The most task_list_charge() all entries together may hold: 1,024
// subworkers offering 100 tasks each take about 16 MiB; 1,024 hostile ones
// with the largest task lists the protocol allows would take gigabytes.
inline constexpr std::size_t kMaxTaskListBytesHeld = std::size_t{64} << 20;
std::size_t task_list_charge(const std::vector<std::string>& task_names);

class SubworkerPool {
public:
    using SteadyClock = std::chrono::steady_clock;

    // Adds a new subworker or reactivates the entry with its id (an inactive
    // one, or a restart of the live one at the same address), as active with
    // nothing in flight. The caller must first have moved the old entry's
    // in-flight tasks elsewhere (see take_in_flight()).
    SubworkerEntry& upsert(protocol::Register&& registration, zmq::message_t routing_id,
                           SteadyClock::time_point now);

    SubworkerEntry* find(const std::string& worker_id);

    // Records that something arrived from the subworker.
    void mark_heard(SubworkerEntry& entry, SteadyClock::time_point now);
    // Takes in a HEARTBEAT from the entry: heard now, its load, and its
    // count of task process restarts (0 when it sends none). Returns how much
    // that count grew since its last heartbeat (0 when it did not grow: a
    // restarted subworker counts from 0 again).
    std::uint64_t note_heartbeat(SubworkerEntry& entry, const protocol::Heartbeat& heartbeat,
                                 SteadyClock::time_point now);
    // Stops dispatching to it (DEREGISTER, or declared dead).
    void mark_leaving(SubworkerEntry& entry);
    void mark_inactive(SubworkerEntry& entry);
    // Forgets an entry entirely (an inactive one past its listing time, or
    // one that makes room for a new subworker): nothing in the pool refers
    // to it afterwards, and a capability class no other entry has goes with
    // it. Pointers to the entry become invalid.
    void remove(const std::string& worker_id);

    // Entries, active and inactive.
    std::size_t size() const { return entries_.size(); }
    // The task_list_bytes of every entry together.
    std::size_t task_list_bytes() const { return task_list_bytes_; }
    // Distinct task sets among the entries (capability classes).
    std::size_t capability_class_count() const { return class_by_task_set_.size(); }
    // The inactive entry heard from least recently, or nullptr.
    SubworkerEntry* longest_silent_inactive();
    // The ids of inactive entries silent for longer than `silence`, longest
    // silent first.
    std::vector<std::string> inactive_silent_since(SteadyClock::time_point now,
                                                   SteadyClock::duration silence) const;

    // True when some active, non-leaving subworker can run the task: then
    // the task waits for one rather than running on the control plane.
    bool has_capable(const std::string& task_name) const;
    // True when some entry, active or not, registered the task name.
    bool is_offered(const std::string& task_name) const;

    // The least-loaded active subworker that can run the task and has room,
    // or nullptr.
    SubworkerEntry* pick(const std::string& task_name);

    // Bookkeeping of one task's dispatch and end.
    void assign(SubworkerEntry& entry, const std::string& task_id, std::size_t payload_bytes = 0);
    // Returns false when the task was not in flight there (a late answer).
    bool unassign(SubworkerEntry& entry, const std::string& task_id);
    // Folds one task's run time, from its RESULT's started_at and finished_at
    // (the subworker's clock), into the entry's mean and window. Nothing
    // changes when either is unset or the end is before the start; a run
    // time above kMaxCountedRunTime counts as that.
    void record_run_time(SubworkerEntry& entry, Timestamp started_at, Timestamp finished_at);
    // Clears and returns every task in flight there.
    std::vector<std::string> take_in_flight(SubworkerEntry& entry);

    // Active subworkers silent for longer than `silence` (to be declared
    // inactive by the caller).
    std::vector<SubworkerEntry*> silent_since(SteadyClock::time_point now,
                                              SteadyClock::duration silence);
    // Every entry, for heartbeats and listings.
    std::vector<SubworkerEntry*> entries();

    SubworkerPoolStatus status() const;
    // Tasks in flight on every subworker together.
    std::size_t tasks_in_flight() const;
    std::size_t active_count() const { return dispatchable_count_; }
    // Counts the times an entry started or stopped holding tasks (in_flight
    // went from 0 or to 0): while it is unchanged, so is the set of
    // subworkers holding a task.
    std::uint64_t holding_changes() const { return holding_changes_; }

private:
    struct LoadOrder {
        bool operator()(const SubworkerEntry* a, const SubworkerEntry* b) const;
    };
    using LoadOrderedSet = std::set<SubworkerEntry*, LoadOrder>;
    // By (last_heard, worker_id): an entry's position must be refreshed
    // whenever last_heard changes while it is in the set.
    struct SilenceOrder {
        bool operator()(const SubworkerEntry* a, const SubworkerEntry* b) const;
    };

    void make_dispatchable(SubworkerEntry& entry);
    void make_undispatchable(SubworkerEntry& entry);
    // The index of the class of this set of task names (made on first use),
    // counting one more entry of it.
    std::size_t acquire_capability_class(const std::unordered_set<std::string>& task_names);
    // Counts one entry of the class fewer; the class is removed (and its
    // index reused) when none is left.
    void release_capability_class(std::size_t index);
    // Erases the entry from its class's set, lets `change` update it, and
    // puts it back where its new load belongs (when it was there); counts in
    // holding_changes_ an in_flight that left or reached 0.
    template <typename Change>
    void reorder(SubworkerEntry& entry, Change&& change);

    std::map<std::string, SubworkerEntry> entries_;
    // Per capability class, its active, non-leaving entries ordered by load.
    // An entry's position must be refreshed (reorder) whenever in_flight or
    // last_dispatch_sequence changes.
    std::vector<LoadOrderedSet> dispatchable_by_class_;
    using ClassByTaskSet = std::map<std::vector<std::string>, std::size_t>;
    ClassByTaskSet class_by_task_set_;  // sorted names -> class
    std::unordered_map<std::string, std::vector<std::size_t>> classes_by_task_;  // name -> classes
    // Per class index: the entries of that class, and its key in
    // class_by_task_set_ (end() for an unused index, listed in free_classes_).
    std::vector<std::size_t> class_entry_counts_;
    std::vector<ClassByTaskSet::iterator> class_keys_;
    std::vector<std::size_t> free_classes_;
    // The inactive entries, longest silent first.
    std::set<SubworkerEntry*, SilenceOrder> inactive_;
    std::size_t dispatchable_count_ = 0;
    // Task name -> how many dispatchable entries can run it.
    std::unordered_map<std::string, std::size_t> capable_counts_;
    std::uint64_t dispatch_sequence_ = 0;
    std::uint64_t holding_changes_ = 0;
    std::size_t task_list_bytes_ = 0;
};

}  // namespace fastqueue

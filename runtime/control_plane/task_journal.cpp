// task_journal.cpp -- see task_journal.hpp.
//
// Recovery (recover()): the journal replays into a JournalReplay, which says
// per task what is live. Then, in this order: finished records go into the
// result cache for what is left of their time to live (counted from
// finished_at); live tasks go back into the table in submission order:
// queued ones queued, scheduled ones scheduled for their time, and tasks that
// were running when the control plane stopped queued again with their
// attempt counted and one worker loss more (TaskTable::restore(): at
// --max-worker-losses they end as failure "worker lost"). What that writes
// (requeued and final records) is committed before the control plane serves.
#include "control_plane/task_journal.hpp"

#include <spdlog/spdlog.h>

#include <unordered_set>

#include "control_plane/task_table.hpp"

namespace fastqueue {
namespace {

bool same_place(JournalLocation a, JournalLocation b) {
    return a.segment == b.segment && a.offset == b.offset;
}

JournalOptions journal_options(const ControlPlaneSettings& settings) {
    JournalOptions options;
    options.dir = settings.journal_dir;
    options.segment_bytes = settings.journal_segment_bytes;
    switch (settings.journal_fsync) {
        case JournalFsync::always:
            options.sync = JournalSync::always;
            break;
        case JournalFsync::interval:
            options.sync = JournalSync::interval;
            options.sync_interval = std::chrono::milliseconds(settings.journal_fsync_interval_ms);
            break;
        case JournalFsync::never:
            options.sync = JournalSync::never;
            break;
    }
    return options;
}

// The task as it was accepted, with the state its latest record gives it.
LiveTask rebuild_live_task(TaskTable& tasks, RecoveredTask& recovered) {
    const AcceptedRecord& accepted = recovered.accepted->record;
    LiveTask task;
    task.task_name = tasks.intern_task_name(std::string(accepted.task_name));
    task.priority = accepted.priority;
    task.submitted_at = accepted.submitted_at;
    task.payload = HeldPayload(
        zmq::message_t(recovered.accepted->payload.data(), recovered.accepted->payload.size()));
    task.timeout_ms = accepted.timeout_ms;
    task.max_retries = accepted.max_retries;
    task.retry_backoff_ms = accepted.retry_backoff_ms;
    task.state = TaskState::queued;
    if (accepted.due != Timestamp{}) {
        task.state = TaskState::scheduled;
        task.started_history().scheduled_for = accepted.due;
    }
    if (!recovered.state) return task;
    TaskHistory& history = task.started_history();
    std::visit(
        [&](const auto& record) {
            using Record = std::decay_t<decltype(record)>;
            if constexpr (std::is_same_v<Record, StartedRecord>) {
                task.state = TaskState::running;
                history.attempts = record.attempt;
                history.worker_losses = record.worker_losses;
                history.worker_id = record.worker_id;
                history.started_at = record.started_at;
                history.scheduled_for = Timestamp{};
            } else if constexpr (std::is_same_v<Record, ScheduledRecord>) {
                task.state = TaskState::scheduled;
                history.attempts = record.attempts;
                history.worker_losses = record.worker_losses;
                history.error = record.error;
                history.retryable = true;
                history.scheduled_for = record.due;
            } else {
                task.state = TaskState::queued;
                history.attempts = record.attempts;
                history.worker_losses = record.worker_losses;
                history.scheduled_for = Timestamp{};
            }
        },
        recovered.state->record);
    return task;
}

}  // namespace

std::unique_ptr<TaskJournal> TaskJournal::open(const ControlPlaneSettings& settings,
                                               TaskTable& tasks) {
    const auto started = std::chrono::steady_clock::now();
    JournalReplay replay;
    auto journal = Journal::open(
        journal_options(settings),
        [&replay](std::string_view record, JournalLocation at) { replay.add(record, at); });
    JournalReplay::Result replayed = replay.finish();
    std::unique_ptr<TaskJournal> task_journal(
        new TaskJournal(std::move(journal), settings.journal_dir, tasks, replayed.next_sequence));
    task_journal->recover(std::move(replayed), started);
    return task_journal;
}

TaskJournal::TaskJournal(std::unique_ptr<Journal> journal, std::filesystem::path dir,
                         TaskTable& tasks, std::uint64_t next_sequence)
    : journal_(std::move(journal)),
      dir_(std::move(dir)),
      tasks_(tasks),
      next_sequence_(next_sequence) {}

TaskJournal::~TaskJournal() {
    tasks_.attach_journal(nullptr);
    tasks_.cache().set_drop_hook(nullptr);
}

void TaskJournal::recover(JournalReplay::Result&& replayed,
                          std::chrono::steady_clock::time_point started) {
    if (replayed.undecodable > 0) {
        spdlog::warn("journal {}: {} record(s) could not be read and were dropped (first: {})",
                     dir_.string(), replayed.undecodable, replayed.first_error);
    }
    for (const JournalLocation& at : replayed.dead) journal_->release(at);
    for (const auto& task : replayed.live) {
        newest_segment_ = std::max(newest_segment_, task.accepted->at.segment);
    }

    ResultCache& cache = tasks_.cache();
    cache.set_drop_hook([this](const TaskId& id) { forget(id); });
    tasks_.attach_journal(this);

    const auto system_now = Clock::now();
    const auto steady_now = ResultCache::SteadyClock::now();
    std::size_t finished = 0;
    for (RecoveredTask& task : replayed.finished) {
        ReplayedFinal& final_record = *task.final_record;
        newest_segment_ = std::max(newest_segment_, final_record.at.segment);
        locations_[task.id] = Locations{true, false, final_record.at, {}, task.accepted_segment};
        hold(final_record.at);
        // The rest of its time to live, counted from when it finished.
        const auto age =
            std::max(Clock::duration::zero(), system_now - final_record.record.record.finished_at);
        if (age >= cache.ttl()) {
            forget(task.id);
            continue;
        }
        const auto put_at =
            steady_now - std::chrono::duration_cast<ResultCache::SteadyClock::duration>(age);
        if (cache.put(std::move(final_record.record.record),
                      SharedBytes::from_string(std::move(final_record.result)), put_at)) {
            ++finished;
        } else {
            forget(task.id);
        }
    }

    std::size_t queued = 0, scheduled = 0, running = 0;
    for (RecoveredTask& task : replayed.live) {
        Locations& where = locations_[task.id];
        where = Locations{false, task.state.has_value(), task.accepted->at,
                          task.state ? task.state->at : JournalLocation{}, 0};
        hold(where.first);
        if (where.has_state) hold(where.second);
        LiveTask live = rebuild_live_task(tasks_, task);
        switch (live.state) {
            case TaskState::running:
                ++running;
                break;
            case TaskState::scheduled:
                ++scheduled;
                break;
            default:
                ++queued;
                break;
        }
        tasks_.restore(task.id, std::move(live));
    }
    if (const auto result = commit(); result.error) {
        spdlog::error("journal {}: cannot write the recovered tasks' new states: {} (retried)",
                      dir_.string(), result.error.message());
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    spdlog::info(
        "journal {}: recovered {} queued, {} scheduled, {} running (requeued), {} finished in "
        "{:.3f} s",
        dir_.string(), queued, scheduled, running, finished, took.count());
}

void TaskJournal::append_pending(Pending&& pending) {
    if (pending.type == RecordType::finished || pending.type == RecordType::cancelled) {
        pending.at = journal_->append({pending.bytes, pending.result.view()});
    } else {
        pending.at = journal_->append({pending.bytes});
    }
    pending_.push_back(std::move(pending));
}

void TaskJournal::accepted(const TaskId& id, const LiveTask& task, Timestamp due) {
    AcceptedRecord record;
    record.head = {next_sequence(), id};
    record.task_name = *task.task_name;
    record.priority = task.priority;
    record.submitted_at = task.submitted_at;
    record.timeout_ms = task.timeout_ms;
    record.max_retries = task.max_retries;
    record.retry_backoff_ms = task.retry_backoff_ms;
    record.due = due;
    const std::string head = encode_accepted_head(record);
    // The payload's one copy: into the journal's batch.
    const JournalLocation at = journal_->append({head, task.payload.view()});
    pending_.push_back(Pending{id, RecordType::accepted, at, {}, {}});
}

void TaskJournal::transitioned(const TaskId& id, const LiveTask& task) {
    const TaskHistory* history = task.history.get();
    const RecordHead head{next_sequence(), id};
    Pending pending{id, RecordType::started, {}, {}, {}};
    switch (task.state) {
        case TaskState::running:
            pending.bytes =
                encode_record(StartedRecord{head, history->attempts, history->worker_losses,
                                            history->worker_id, history->started_at});
            break;
        case TaskState::scheduled:
            // A task scheduled at acceptance: its accepted record says so.
            if (history == nullptr || !history->retryable) return;
            pending.type = RecordType::scheduled;
            pending.bytes =
                encode_record(ScheduledRecord{head, history->scheduled_for, history->attempts,
                                              history->worker_losses, history->error});
            break;
        case TaskState::queued:
            // Queued at acceptance: its accepted record says so.
            if (history == nullptr) return;
            pending.type = RecordType::requeued;
            pending.bytes =
                encode_record(RequeuedRecord{head, history->attempts, history->worker_losses});
            break;
        default:
            return;  // final states: finished()
    }
    append_pending(std::move(pending));
}

void TaskJournal::finished(const TaskId& id, const TaskRecord& record, const SharedBytes& result) {
    FinalRecord final_record{{next_sequence(), id}, record, {}};
    final_record.record.finished_at =
        record.finished_at == Timestamp{} ? Clock::now() : record.finished_at;
    Pending pending{
        id,
        record.state == TaskState::cancelled ? RecordType::cancelled : RecordType::finished,
        {},
        encode_final_head(final_record),
        result};
    append_pending(std::move(pending));
}

TaskJournal::CommitResult TaskJournal::write_pending(bool may_sync) {
    CommitResult result;
    if (pending_.empty()) return result;
    result.error = may_sync ? journal_->commit() : journal_->write();
    if (!result.error) {
        for (const Pending& pending : pending_) apply(pending);
        pending_.clear();
        return result;
    }
    // Nothing was written. Accepted tasks are refused; the other records go
    // into the next batch, first, in their order.
    std::unordered_set<TaskId, TaskIdHash> refused;
    for (const Pending& pending : pending_) {
        if (pending.type == RecordType::accepted && refused.insert(pending.id).second) {
            result.refused.push_back(pending.id);
        }
    }
    std::vector<Pending> kept = std::move(pending_);
    pending_.clear();
    for (Pending& pending : kept) {
        if (pending.type == RecordType::accepted || refused.contains(pending.id)) continue;
        append_pending(std::move(pending));
    }
    return result;
}

std::error_code TaskJournal::sync() {
    if (!pending_.empty()) return std::make_error_code(std::errc::operation_in_progress);
    return journal_->commit();
}

void TaskJournal::apply(const Pending& pending) {
    newest_segment_ = std::max(newest_segment_, pending.at.segment);
    auto it = locations_.find(pending.id);
    switch (pending.type) {
        case RecordType::accepted: {
            if (it != locations_.end() && it->second.is_finished) {
                // A known id submitted again after its record left the cache.
                const Locations old = it->second;
                locations_.erase(it);
                defer_release(old.first, old.accepted_segment);
            }
            locations_[pending.id] = Locations{false, false, pending.at, {}, 0};
            hold(pending.at);
            return;
        }
        case RecordType::finished:
        case RecordType::cancelled: {
            std::uint64_t accepted_segment = pending.at.segment;
            if (it != locations_.end()) {
                const Locations old = it->second;
                if (old.is_finished) {
                    accepted_segment = old.accepted_segment;
                    drop(old.first);
                } else {
                    accepted_segment = old.first.segment;
                    drop(old.first);
                    if (old.has_state) drop(old.second);
                }
            }
            locations_[pending.id] = Locations{
                true, false, pending.at, {}, std::min(accepted_segment, pending.at.segment)};
            hold(pending.at);
            // Dropped from the cache before it was written (or never kept).
            if (!tasks_.cache().contains(pending.id)) forget(pending.id);
            return;
        }
        default: {
            if (it == locations_.end() || it->second.is_finished) {
                journal_->release(pending.at);  // its task ended, or was never written
                return;
            }
            Locations& where = it->second;
            if (where.has_state) drop(where.second);
            where.second = pending.at;
            where.has_state = true;
            hold(pending.at);
            return;
        }
    }
}

void TaskJournal::forget(const TaskId& id) {
    auto it = locations_.find(id);
    if (it == locations_.end() || !it->second.is_finished) return;
    const Locations where = it->second;
    locations_.erase(it);
    defer_release(where.first, where.accepted_segment);
}

void TaskJournal::defer_release(JournalLocation final_at, std::uint64_t accepted_segment) {
    if (accepted_segment >= final_at.segment) {
        drop(final_at);
        return;
    }
    deferred_[{final_at.segment, final_at.offset}] = Deferred{final_at, accepted_segment};
}

void TaskJournal::hold(JournalLocation at) { ++live_per_segment_[at.segment]; }

void TaskJournal::drop(JournalLocation at) {
    journal_->release(at);
    auto it = live_per_segment_.find(at.segment);
    if (it != live_per_segment_.end() && --it->second == 0) live_per_segment_.erase(it);
}

void TaskJournal::compact() {
    if (journal_->has_pending() || !pending_.empty()) return;
    // Every closed segment below the lowest one holding a live record is
    // deleted by this compaction (it holds only dead records).
    std::uint64_t lowest = newest_segment_;
    if (!live_per_segment_.empty()) lowest = std::min(lowest, live_per_segment_.begin()->first);
    journal_->compact([this](std::string_view record, JournalLocation from,
                             JournalLocation to) { moved(record, from, to); },
                      kCompactBudgetBytes);
    if (lowest <= released_below_) return;
    released_below_ = lowest;
    for (auto it = deferred_.begin(); it != deferred_.end();) {
        if (it->second.accepted_segment < lowest) {
            drop(it->second.at);
            it = deferred_.erase(it);
        } else {
            ++it;
        }
    }
}

void TaskJournal::moved(std::string_view record, JournalLocation from, JournalLocation to) {
    newest_segment_ = std::max(newest_segment_, to.segment);
    bool is_found = false;
    if (auto deferred = deferred_.find({from.segment, from.offset}); deferred != deferred_.end()) {
        Deferred entry = deferred->second;
        entry.at = to;
        deferred_.erase(deferred);
        deferred_[{to.segment, to.offset}] = entry;
        is_found = true;
    } else if (const auto head = peek_record_head(record)) {
        auto it = locations_.find(head->second.task_id);
        if (it != locations_.end()) {
            Locations& where = it->second;
            if (same_place(where.first, from)) {
                where.first = to;
                is_found = true;
            } else if (where.has_state && same_place(where.second, from)) {
                where.second = to;
                is_found = true;
            }
        }
    }
    if (!is_found) {
        // The journal kept a record this side does not hold: let it go.
        journal_->release(to);
        return;
    }
    auto old_segment = live_per_segment_.find(from.segment);
    if (old_segment != live_per_segment_.end() && --old_segment->second == 0) {
        live_per_segment_.erase(old_segment);
    }
    ++live_per_segment_[to.segment];
}

}  // namespace fastqueue

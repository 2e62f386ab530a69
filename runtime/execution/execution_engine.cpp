// execution_engine.cpp -- the handler thread pool behind ExecutionEngine.
//
// A fixed set of threads waits on one condition variable for work. start()
// takes a free slot and puts the task among the waiting ones under the engine
// mutex; a thread takes the most urgent waiting task (oldest first within a
// priority). Slots are concurrency + window, so at most `window` tasks wait
// while every thread runs one. Each task's fq_task_context is created in
// start() and registered by task id at once, so cancel() and inspect() find a
// task from the moment start() returns until its handler returns.
//
// Run-time limits: a run with a limit is entered in `timed_runs` and its
// deadline in `deadlines` when a thread takes it. One watchdog thread sleeps
// until the earliest deadline. Whichever comes first under the engine mutex
// -- the watchdog marking the run timed out, or the handler thread forgetting
// the run -- decides who delivers the run's one outcome.
#include "execution/execution_engine.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <iterator>
#include <map>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "common/duration_text.hpp"
#include "common/wakeup.hpp"
#include "execution/handler_call.hpp"
#include "execution/kill_timer.hpp"
#include "execution/owned_fd.hpp"
#include "execution/process_slot.hpp"
#include "plugins/task_context.hpp"
#include "plugins/task_registry.hpp"

namespace fastqueue {

namespace {

using SteadyClock = std::chrono::steady_clock;

}  // namespace

struct ExecutionEngine::Impl {
    // The types of Impl's members are nested here, not in an anonymous
    // namespace: Impl has linkage, so the types of its members need it too.

    // One task between start() and the end of its run.
    struct Job {
        TaskAssignment task;
        std::unique_ptr<fq_task_context> context;
        std::chrono::milliseconds limit{0};  // its run-time limit; 0 when it has none
        std::uint64_t run_id = 0;            // its entry in timed_runs; 0 when it has no limit
        Timestamp started_at{};              // when a thread took it
    };

    // A task the engine holds, by task id: its context, and when a thread took
    // it (zero while it waits).
    struct HeldRun {
        fq_task_context* context;  // owned by the Job
        Timestamp started_at{};
    };

    // A run with a limit, until its handler returns.
    struct TimedRun {
        std::string task_id;
        Timestamp started_at;
        std::chrono::milliseconds limit;
        fq_task_context* context;  // owned by the Job
        bool is_timed_out = false;
    };

    // Process isolation: a thread waiting for work, with nothing in its
    // executor, waits in poll() on its own doorbell and on its executor's
    // channel. start() rings the doorbell for a waiting task, or sends a task
    // to the executor itself and leaves the thread asleep until the outcome
    // arrives; an executor that dies while idle wakes it too.
    struct Parking {
        explicit Parking(ProcessSlot& slot_in) : slot(slot_in) {}
        ProcessSlot& slot;  // the slot whose thread parks here
        Wakeup wake;
        bool is_listed = false;     // in `parked` (guarded by mutex)
        std::optional<Job> handed;  // started and sent by start() (guarded by mutex)
        // With owner answers (enable_owner_answers), guarded by mutex: the
        // channel is in answer_poll while the thread parks, and the owner's
        // thread reads a handed task's answer (the parked thread then waits
        // on its doorbell alone); what the owner cannot read it leaves to
        // the slot's thread.
        bool is_owner_watched = false;   // the channel is in answer_poll
        bool is_owner_reading = false;   // the owner reads the channel now, without the mutex
        bool needs_slot_thread = false;  // the owner left the channel to the slot's thread
    };

    Impl(const TaskRegistry& registry_in, std::size_t concurrency_in, CompletionSink sink,
         std::size_t window, IsolationOptions isolation_in)
        : registry(registry_in),
          concurrency(concurrency_in == 0 ? 1 : concurrency_in),
          on_done(std::move(sink)),
          isolation(std::move(isolation_in)),
          free_slots(concurrency + window) {
        for (const auto& plugin : registry.plugins()) {
            isolation.command.plugin_paths.push_back(plugin.path);
        }
        if (isolation.mode == Isolation::process) {
            if (isolation.owner_reads_answers) {
                answer_poll.reset(::epoll_create1(EPOLL_CLOEXEC));
                if (answer_poll.get() < 0) {
                    throw std::system_error(errno, std::generic_category(), "epoll_create1");
                }
            }
            kill_timer = std::make_unique<KillTimer>();
            for (std::size_t i = 0; i < concurrency; ++i) {
                process_slots.push_back(
                    std::make_unique<ProcessSlot>(isolation, *kill_timer, restarts));
                parkings.push_back(std::make_unique<Parking>(*process_slots.back()));
            }
        }
    }

    // Thread isolation: runs each task it takes on this thread.
    void thread_main();
    // Process isolation: runs the tasks it takes in the slot's executor.
    void process_main(ProcessSlot& slot, Parking& parking);
    // Under the mutex: waits, as an idle thread, until a task waits, one is
    // handed to `parking` and has answered, the engine stops, or the slot's
    // executor ends while idle (which park() handles: the slot is then not
    // ready).
    void park(std::unique_lock<std::mutex>& lock, Parking& parking, ProcessSlot& slot);
    // park() with owner answers: waits on the doorbell alone while the
    // owner's thread watches the channel. Leaves the same way park() does,
    // with the channel the slot thread's again.
    void park_for_owner(std::unique_lock<std::mutex>& lock, Parking& parking, ProcessSlot& slot);
    // Under the mutex, with owner answers: puts the parked slot's channel in
    // answer_poll, or takes it out; false when epoll refused.
    bool watch_for_owner(Parking& parking);
    void unwatch_for_owner(Parking& parking);
    // Under the mutex: the owner stops watching the channel and wakes the
    // slot's thread to handle it.
    void leave_to_slot_thread(Parking& parking);
    // On the owner's thread: reads the handed task's answers that have
    // wholly arrived, delivering its outcome.
    void take_answers(Parking& parking);
    // Under the mutex: unlists up to `count` parked threads (all when 0)
    // and returns them, to be woken once the mutex is released.
    std::vector<Parking*> unpark(std::size_t count);
    // Under the mutex: takes a parked thread off the list start() hands to.
    void unlist(Parking& parking);
    // Wakes `count` idle threads (all when 0), in either isolation.
    void wake_idle(std::size_t count);
    // Under the mutex, in process isolation: starts `job` in the executor of
    // a parked thread with nothing in it, sending it from the caller's
    // thread, and hands it to that thread; the thread to wake, or nullptr
    // (and `job` untouched) when none can take it. Saves the task a thread
    // wake-up before it reaches its executor. With owner answers, only when
    // every slot is idle (the owner then reads the answer too).
    Parking* hand_to_parked(Job& job, bool* is_deadline_first);
    // Waits `delay` unless the engine stops first; true when it stopped.
    bool wait_unless_stopping(std::chrono::milliseconds delay);
    // Under the mutex: removes the most urgent waiting job. Precondition:
    // waiting_count > 0.
    Job take_next();
    // Under the mutex: enters the job as started now (and arms its limit);
    // sets *is_deadline_first when its deadline is the earliest.
    void mark_started(Job& job, bool* is_deadline_first);
    // Under the mutex: puts jobs taken but never started back among the
    // waiting ones, ahead of the others of their priority, in their order.
    void put_back_unstarted(std::deque<Job>& jobs);
    // Under the mutex: removes a waiting job that will not run, freeing its
    // slot, and returns its task to the owner.
    TaskAssignment give_back(std::deque<Job>& level, std::deque<Job>::iterator at);
    void watchdog_main();
    // Runs the job on this thread; true when it handed an outcome to the
    // sink, which the caller must then count delivered.
    bool run(Job job);
    // Ends a job whose run is over (its outcome state, result and error set):
    // unregisters it, frees its slot and hands the outcome to the sink,
    // unless the run had timed out (its outcome was then delivered
    // already). True when it delivered.
    bool finish(Job job, TaskOutcome&& outcome, bool is_timed_out);
    // finish() for an outcome (or loss) its executor reported: sets the
    // outcome's task id and times.
    bool finish_answered(Job job, TaskOutcome&& outcome, bool is_timed_out);
    // Under the mutex: the job take_next() would take.
    const Job& waiting_front() const;
    // Unregisters a run whose handler returned and frees its slot; true when
    // it had timed out (its outcome was already delivered).
    bool end_run(const fq_task_context* context, std::uint64_t run_id);
    // end_run under the mutex.
    bool end_run_locked(const fq_task_context* context, std::uint64_t run_id);
    // Under the mutex: ends the runs whose deadline passed, returning their
    // outcomes (each counted in undelivered), and reports handlers that
    // ignore the cancellation of a timed-out run.
    std::vector<TaskOutcome> expire_runs(SteadyClock::time_point now);
    // Hands an outcome to the sink; the caller then counts it delivered
    // (note_delivered) under the mutex.
    void deliver(TaskOutcome&& outcome);
    // Under the mutex: one fewer outcome to deliver; wakes wait_idle at 0.
    void note_delivered();

    const TaskRegistry& registry;
    const std::size_t concurrency;
    const CompletionSink on_done;
    IsolationOptions isolation;  // written only by the constructor
    std::atomic<std::uint64_t> restarts{0};
    // Process isolation: one per thread. The kill timer is declared after
    // them so that it stops (with the actions that name a slot) before they
    // are destroyed.
    std::vector<std::unique_ptr<ProcessSlot>> process_slots;
    std::vector<std::unique_ptr<Parking>> parkings;  // one per process slot
    std::vector<Parking*> parked;                    // guarded by mutex; most recent last
    std::unique_ptr<KillTimer> kill_timer;
    // Owner answers: an epoll set of parked slots' channels (-1 when not
    // enabled; written only by the constructor), and the signal that the
    // owner finished reading a channel.
    OwnedFd answer_poll;
    // When start() last ran (guarded by mutex), and the gap between starts
    // below which the engine counts as loaded (hand_to_parked).
    SteadyClock::time_point last_start{};
    static constexpr std::chrono::microseconds kOwnerAnswerGap{100};
    std::condition_variable owner_done;
    std::condition_variable stopping_changed;  // signalled when is_stopping is set
    std::size_t ready_slots = 0;          // guarded by mutex; slots whose first executor started
    std::condition_variable slots_ready;  // signalled when ready_slots grows

    mutable std::mutex mutex;
    std::condition_variable work_ready;  // signalled when a task waits or stopping is set
    std::condition_variable idle;        // signalled when a task's outcome has been delivered
    // Started tasks no thread has taken yet, by priority (guarded by mutex).
    std::array<std::deque<Job>, kPriorityCount> waiting;
    std::size_t waiting_count = 0;      // guarded by mutex
    std::size_t idle_thread_count = 0;  // guarded by mutex; threads in work_ready.wait
    // Written under the mutex; read without it by free_slots(), whose
    // caller (the owner's thread) is the only one that lowers it.
    std::atomic<std::size_t> free_slots;
    // While a StartBatch is open: how many tasks started without waking a
    // thread (guarded by mutex).
    bool is_batching = false;
    std::size_t held_wakeups = 0;
    std::size_t undelivered = 0;  // guarded by mutex; started tasks whose sink has not returned
    bool is_stopping = false;     // guarded by mutex
    // Tasks between start() and the return of their handler, by task id (a
    // multimap: a re-dispatched id may briefly run twice). Guarded by mutex.
    std::unordered_multimap<std::string, HeldRun> contexts;
    // Runs with a limit, by run id, and their deadlines (guarded by mutex).
    // A deadline whose run has ended is skipped when it comes up.
    std::unordered_map<std::uint64_t, TimedRun> timed_runs;
    std::multimap<SteadyClock::time_point, std::uint64_t> deadlines;
    std::uint64_t last_run_id = 0;
    std::condition_variable deadlines_changed;  // wakes the watchdog
    std::vector<std::thread> threads;           // written only by the constructor and destructor
    std::thread watchdog;
};

bool ExecutionEngine::Impl::wait_unless_stopping(std::chrono::milliseconds delay) {
    std::unique_lock<std::mutex> lock(mutex);
    return stopping_changed.wait_for(lock, delay, [&] { return is_stopping; });
}

void ExecutionEngine::Impl::thread_main() {
    // One lock per task on this thread: counting the last outcome as
    // delivered and taking the next task share it.
    bool has_delivered = false;
    for (;;) {
        Job job;
        bool is_deadline_first = false;
        {
            std::unique_lock<std::mutex> lock(mutex);
            if (has_delivered) note_delivered();
            ++idle_thread_count;
            work_ready.wait(lock, [&] { return waiting_count > 0 || is_stopping; });
            --idle_thread_count;
            // A task already started still ends when stopping (its cancel
            // flag is raised), so every started task gets exactly one outcome.
            if (waiting_count == 0) return;
            job = take_next();
            mark_started(job, &is_deadline_first);
        }
        if (is_deadline_first) deadlines_changed.notify_one();
        has_delivered = run(std::move(job));
    }
}

void ExecutionEngine::Impl::park(std::unique_lock<std::mutex>& lock, Parking& parking,
                                 ProcessSlot& slot) {
    ++idle_thread_count;
    while (waiting_count == 0 && !is_stopping && slot.is_ready()) {
        // Listed for start() only while nothing was handed to it.
        if (!parking.is_listed && !parking.handed) {
            parked.push_back(&parking);
            parking.is_listed = true;
        }
        // A task handed meanwhile stays in the executor until it answers.
        const int channel = slot.is_ready() ? slot.channel() : -1;
        lock.unlock();
        pollfd items[] = {{parking.wake.fd(), POLLIN, 0}, {channel, POLLIN, 0}};
        int ready = 0;
        do {
            ready = ::poll(items, channel >= 0 ? 2 : 1, -1);
        } while (ready < 0 && errno == EINTR);
        if ((items[0].revents & POLLIN) != 0) parking.wake.drain();
        const bool has_answer = (items[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
        lock.lock();
        if (!has_answer) continue;
        if (parking.handed) break;
        // Its executor spoke, or closed, with no task in it: it died idle.
        // Unlisted first, so that start() hands it nothing meanwhile.
        unlist(parking);
        lock.unlock();
        slot.end_idle_executor();
        lock.lock();
    }
    unlist(parking);
    --idle_thread_count;
}

void ExecutionEngine::Impl::park_for_owner(std::unique_lock<std::mutex>& lock, Parking& parking,
                                           ProcessSlot& slot) {
    // Counted idle once listed, so that a caller that sees it idle finds it
    // listed for start().
    bool is_counted = false;
    for (;;) {
        // While the owner reads the channel, the slot is the owner's.
        owner_done.wait(lock, [&] { return !parking.is_owner_reading; });
        if (waiting_count > 0 || is_stopping || !slot.is_ready() || parking.needs_slot_thread) {
            break;
        }
        if (!parking.is_owner_watched && !watch_for_owner(parking)) {
            // No room in the epoll set: this slot waits as without owner answers.
            if (is_counted) --idle_thread_count;
            park(lock, parking, slot);
            return;
        }
        // Listed for start() only while nothing was handed to it.
        if (!parking.is_listed && !parking.handed) {
            parked.push_back(&parking);
            parking.is_listed = true;
        }
        if (!is_counted) {
            ++idle_thread_count;
            is_counted = true;
        }
        lock.unlock();
        pollfd doorbell{parking.wake.fd(), POLLIN, 0};
        while (::poll(&doorbell, 1, -1) < 0 && errno == EINTR) {
        }
        parking.wake.drain();
        lock.lock();
    }
    unwatch_for_owner(parking);
    unlist(parking);
    if (is_counted) --idle_thread_count;
    if (std::exchange(parking.needs_slot_thread, false) && !parking.handed) {
        // Its executor spoke, or closed, with no task in it: it died idle.
        lock.unlock();
        slot.end_idle_executor();
        lock.lock();
    }
}

bool ExecutionEngine::Impl::watch_for_owner(Parking& parking) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = &parking;
    if (::epoll_ctl(answer_poll.get(), EPOLL_CTL_ADD, parking.slot.channel(), &event) != 0) {
        spdlog::warn("cannot watch a task process's channel from the I/O thread: {}",
                     std::strerror(errno));
        return false;
    }
    parking.is_owner_watched = true;
    return true;
}

void ExecutionEngine::Impl::unwatch_for_owner(Parking& parking) {
    if (!std::exchange(parking.is_owner_watched, false)) return;
    ::epoll_ctl(answer_poll.get(), EPOLL_CTL_DEL, parking.slot.channel(), nullptr);
}

void ExecutionEngine::Impl::leave_to_slot_thread(Parking& parking) {
    unwatch_for_owner(parking);
    unlist(parking);
    parking.needs_slot_thread = true;
    parking.wake.ring();
}

void ExecutionEngine::Impl::take_answers(Parking& parking) {
    ProcessSlot& slot = parking.slot;
    std::unique_lock<std::mutex> lock(mutex);
    // The slot's thread may have taken its channel back since the wait.
    if (!parking.is_owner_watched) return;
    if (!parking.handed) {
        // Its executor spoke or closed while idle.
        leave_to_slot_thread(parking);
        return;
    }
    for (;;) {
        parking.is_owner_reading = true;
        lock.unlock();
        const auto arrival = slot.peek_arrival();
        std::optional<ProcessSlot::Event> event;
        if (arrival == ProcessSlot::Arrival::complete) event = slot.receive();
        lock.lock();
        parking.is_owner_reading = false;
        owner_done.notify_all();
        if (arrival == ProcessSlot::Arrival::nothing) return;
        if (!event) {
            leave_to_slot_thread(parking);
            return;
        }
        Job& running = *parking.handed;
        if (event->kind == ProcessSlot::Event::Kind::progress) {
            running.context->report_progress(event->fraction, event->message.c_str());
            continue;
        }
        Job job = std::move(running);
        parking.handed.reset();
        slot.forget_head();
        const bool is_timed_out = end_run_locked(job.context.get(), job.run_id);
        // The slot is idle again: listed for start(), or woken for the
        // tasks that wait.
        const bool has_work = waiting_count > 0 || is_stopping;
        if (!has_work) {
            parked.push_back(&parking);
            parking.is_listed = true;
        }
        lock.unlock();
        if (has_work) parking.wake.ring();
        if (finish_answered(std::move(job), std::move(event->outcome), is_timed_out)) {
            lock.lock();
            note_delivered();
        }
        return;
    }
}

void ExecutionEngine::Impl::unlist(Parking& parking) {
    if (!parking.is_listed) return;
    parked.erase(std::find(parked.begin(), parked.end(), &parking));
    parking.is_listed = false;
}

auto ExecutionEngine::Impl::unpark(std::size_t count) -> std::vector<Parking*> {
    std::vector<Parking*> woken;
    while (!parked.empty() && (count == 0 || woken.size() < count)) {
        woken.push_back(parked.back());
        parked.back()->is_listed = false;
        parked.pop_back();
    }
    return woken;
}

void ExecutionEngine::Impl::wake_idle(std::size_t count) {
    if (isolation.mode == Isolation::thread) {
        if (count == 0 || count >= concurrency) {
            work_ready.notify_all();
        } else {
            for (std::size_t i = 0; i < count; ++i) work_ready.notify_one();
        }
        return;
    }
    std::vector<Parking*> woken;
    {
        std::lock_guard<std::mutex> lock(mutex);
        woken = unpark(count);
    }
    for (Parking* parking : woken) parking->wake.ring();
}

auto ExecutionEngine::Impl::hand_to_parked(Job& job, bool* is_deadline_first) -> Parking* {
    if (isolation.mode != Isolation::process || waiting_count > 0 || parked.empty() ||
        job.task.payload.size() > ProcessSlot::kDirectSendBytes ||
        registry.find(job.task.task_name) == nullptr) {
        return nullptr;
    }
    // With owner answers, only while the engine is unloaded -- every slot
    // idle, and no other task started within kOwnerAnswerGap: under load the
    // owner's thread has enough to do, and a woken slot thread takes the
    // waiting tasks in a batch and reads their answers itself.
    const auto now = SteadyClock::now();
    const bool is_unloaded = now - std::exchange(last_start, now) >= kOwnerAnswerGap;
    if (answer_poll.get() >= 0 && (parked.size() < concurrency || !is_unloaded)) return nullptr;
    Parking* parking = parked.back();
    ProcessSlot& slot = parking->slot;
    if (!slot.is_ready()) return nullptr;
    unpark(1);
    mark_started(job, is_deadline_first);
    slot.watch(*job.context);
    slot.head_started();
    slot.transmit(*job.context, job.task.payload);
    parking->handed = std::move(job);
    return parking;
}

void ExecutionEngine::Impl::process_main(ProcessSlot& slot, Parking& parking) {
    const ProcessSlot::StopAwareWait wait = [this](std::chrono::milliseconds delay) {
        return wait_unless_stopping(delay);
    };
    std::deque<Job> sent;         // in the slot's executor, in order; the front runs
    std::size_t delivered = 0;    // outcomes handed to the sink, not yet counted
    bool has_been_ready = false;  // counted in ready_slots
    for (;;) {
        std::vector<Job> unsendable;  // taken, but to end without an executor
        const std::size_t first_new = sent.size();
        std::size_t first_taken = first_new;  // the first task this turn sends
        bool is_deadline_first = false;
        {
            std::unique_lock<std::mutex> lock(mutex);
            for (; delivered > 0; --delivered) note_delivered();
            if (sent.empty()) {
                for (;;) {
                    if (!slot.is_ready() && !is_stopping) {
                        // Not counted idle meanwhile: it cannot take a task yet.
                        lock.unlock();
                        const bool is_ready = slot.make_ready(wait);
                        lock.lock();
                        if (is_ready && !has_been_ready) {
                            has_been_ready = true;
                            ++ready_slots;
                            slots_ready.notify_all();
                        }
                    }
                    if (answer_poll.get() >= 0) {
                        park_for_owner(lock, parking, slot);
                    } else {
                        park(lock, parking, slot);
                    }
                    // Otherwise its executor died idle: start another.
                    if (parking.handed || waiting_count > 0 || is_stopping) break;
                }
                if (parking.handed) {
                    // start() sent it to the executor already.
                    sent.push_back(std::move(*parking.handed));
                    parking.handed.reset();
                } else if (waiting_count == 0) {
                    return;
                } else if (!slot.is_ready() ||
                           registry.find(waiting_front().task.task_name) == nullptr) {
                    // Stopping without an executor, or a name no plugin
                    // registered: it ends here without being sent.
                    unsendable.push_back(take_next());
                }
            }
            // Further tasks go after the running one only while no other
            // thread is idle to take them, and as many as the slot's depth.
            first_taken = sent.size();
            // Payload bytes sent behind the running task: bounded, so that
            // sending them never waits for the executor, which may itself be
            // waiting to send the running task's result.
            std::size_t ahead_bytes = 0;
            for (std::size_t i = 1; i < sent.size(); ++i)
                ahead_bytes += sent[i].task.payload.size();
            while (unsendable.empty() && waiting_count > 0 && sent.size() < slot.depth() &&
                   (sent.empty() ||
                    (idle_thread_count == 0 && ahead_bytes + waiting_front().task.payload.size() <=
                                                   ProcessSlot::kAheadBytes)) &&
                   registry.find(waiting_front().task.task_name) != nullptr) {
                if (!sent.empty()) ahead_bytes += waiting_front().task.payload.size();
                sent.push_back(take_next());
                slot.watch(*sent.back().context);
            }
            if (first_new == 0 && first_taken == 0 && !sent.empty()) {
                mark_started(sent.front(), &is_deadline_first);
                slot.head_started();
            }
        }
        if (is_deadline_first) deadlines_changed.notify_one();
        for (Job& job : unsendable) {
            if (run(std::move(job))) ++delivered;
        }
        for (std::size_t i = first_taken; i < sent.size(); ++i) {
            slot.transmit(*sent[i].context, sent[i].task.payload);
        }
        if (sent.empty()) continue;

        ProcessSlot::Event event = slot.receive();
        if (event.kind == ProcessSlot::Event::Kind::progress) {
            sent.front().context->report_progress(event.fraction, event.message.c_str());
            continue;
        }
        Job job = std::move(sent.front());
        sent.pop_front();
        bool is_timed_out = false;
        is_deadline_first = false;
        {
            std::lock_guard<std::mutex> lock(mutex);
            slot.forget_head();
            is_timed_out = end_run_locked(job.context.get(), job.run_id);
            if (event.kind == ProcessSlot::Event::Kind::lost) {
                // The tasks sent behind the lost one never started.
                for (std::size_t i = 0; i < sent.size(); ++i) slot.forget_head();
                put_back_unstarted(sent);
            } else if (!sent.empty()) {
                mark_started(sent.front(), &is_deadline_first);
                slot.head_started();
            }
        }
        if (is_deadline_first) deadlines_changed.notify_one();
        if (event.kind == ProcessSlot::Event::Kind::lost) wake_idle(0);
        if (finish_answered(std::move(job), std::move(event.outcome), is_timed_out)) ++delivered;
    }
}

void ExecutionEngine::Impl::note_delivered() {
    --undelivered;
    if (undelivered == 0) idle.notify_all();
}

auto ExecutionEngine::Impl::take_next() -> Job {
    auto level = std::find_if(waiting.begin(), waiting.end(),
                              [](const std::deque<Job>& jobs) { return !jobs.empty(); });
    Job job = std::move(level->front());
    level->pop_front();
    --waiting_count;
    return job;
}

auto ExecutionEngine::Impl::waiting_front() const -> const Job& {
    auto level = std::find_if(waiting.begin(), waiting.end(),
                              [](const std::deque<Job>& jobs) { return !jobs.empty(); });
    return level->front();
}

void ExecutionEngine::Impl::mark_started(Job& job, bool* is_deadline_first) {
    job.started_at = Clock::now();
    auto [first, last] = contexts.equal_range(job.task.task_id);
    for (auto it = first; it != last; ++it) {
        if (it->second.context == job.context.get()) it->second.started_at = job.started_at;
    }
    if (job.limit.count() > 0) {
        job.run_id = ++last_run_id;
        timed_runs.emplace(
            job.run_id, TimedRun{job.task.task_id, job.started_at, job.limit, job.context.get()});
        auto at = deadlines.emplace(SteadyClock::now() + job.limit, job.run_id);
        if (at == deadlines.begin()) *is_deadline_first = true;
    }
}

void ExecutionEngine::Impl::put_back_unstarted(std::deque<Job>& jobs) {
    while (!jobs.empty()) {
        Job& job = jobs.back();
        waiting[static_cast<std::size_t>(job.task.priority)].push_front(std::move(job));
        ++waiting_count;
        jobs.pop_back();
    }
}

TaskAssignment ExecutionEngine::Impl::give_back(std::deque<Job>& level,
                                                std::deque<Job>::iterator at) {
    Job job = std::move(*at);
    level.erase(at);
    --waiting_count;
    auto [first, last] = contexts.equal_range(job.task.task_id);
    for (auto it = first; it != last; ++it) {
        if (it->second.context == job.context.get()) {
            contexts.erase(it);
            break;
        }
    }
    ++free_slots;
    note_delivered();  // it will have no outcome
    return std::move(job.task);
}

bool ExecutionEngine::Impl::end_run(const fq_task_context* context, std::uint64_t run_id) {
    std::lock_guard<std::mutex> lock(mutex);
    return end_run_locked(context, run_id);
}

bool ExecutionEngine::Impl::end_run_locked(const fq_task_context* context, std::uint64_t run_id) {
    auto [first, last] = contexts.equal_range(context->task_id());
    for (auto it = first; it != last; ++it) {
        if (it->second.context == context) {
            contexts.erase(it);
            break;
        }
    }
    // The slot is free before the sink runs, so an owner woken by the sink
    // always sees it in free_slots() and can start its next task at once.
    ++free_slots;
    auto run = timed_runs.find(run_id);
    if (run == timed_runs.end() || !run->second.is_timed_out) {
        if (run != timed_runs.end()) timed_runs.erase(run);
        return false;
    }
    // The watchdog delivered this run's outcome; the handler's is late, and
    // the run's count in undelivered ends here.
    timed_runs.erase(run);
    note_delivered();
    return true;
}

std::vector<TaskOutcome> ExecutionEngine::Impl::expire_runs(SteadyClock::time_point now) {
    std::vector<TaskOutcome> outcomes;
    while (!deadlines.empty() && deadlines.begin()->first <= now) {
        const std::uint64_t run_id = deadlines.begin()->second;
        deadlines.erase(deadlines.begin());
        auto it = timed_runs.find(run_id);
        if (it == timed_runs.end()) continue;  // its handler returned in time
        TimedRun& run = it->second;
        if (run.is_timed_out) {
            spdlog::warn(
                "task {} timed out {} ago and its handler still runs: it ignores cancellation "
                "and keeps a handler thread busy until it returns",
                run.task_id,
                format_seconds(std::chrono::duration_cast<std::chrono::milliseconds>(
                    ExecutionEngine::kCancelHonourWait)));
            continue;
        }
        run.is_timed_out = true;
        run.context->request_cancel();
        deadlines.emplace(now + ExecutionEngine::kCancelHonourWait, run_id);
        TaskOutcome outcome;
        outcome.task_id = run.task_id;
        outcome.state = TaskState::failure;
        outcome.error = "timed out after " + format_seconds(run.limit);
        outcome.started_at = run.started_at;
        outcome.finished_at = Clock::now();
        ++undelivered;  // this delivery; the handler's return ends the other count
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

void ExecutionEngine::Impl::deliver(TaskOutcome&& outcome) {
    try {
        on_done(std::move(outcome));
    } catch (const std::exception& e) {
        spdlog::error("completion sink threw for a task: {}", e.what());
    } catch (...) {
        spdlog::error("completion sink threw a non-standard exception");
    }
}

void ExecutionEngine::Impl::watchdog_main() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!is_stopping) {
        if (deadlines.empty()) {
            deadlines_changed.wait(lock);
            continue;
        }
        const auto now = SteadyClock::now();
        if (now < deadlines.begin()->first) {
            deadlines_changed.wait_until(lock, deadlines.begin()->first);
            continue;
        }
        auto outcomes = expire_runs(now);
        if (outcomes.empty()) continue;
        lock.unlock();
        for (auto& outcome : outcomes) {
            spdlog::warn("task {} {}; its cancellation flag is raised", outcome.task_id,
                         outcome.error);
            deliver(std::move(outcome));
        }
        lock.lock();
        for (std::size_t i = 0; i < outcomes.size(); ++i) note_delivered();
    }
}

bool ExecutionEngine::Impl::run(Job job) {
    fq_task_context& context = *job.context;
    TaskOutcome outcome;
    if (context.is_cancelled()) {
        // Cancelled while it waited for a thread: it never runs.
        job.started_at = Timestamp{};
        outcome.state = TaskState::cancelled;
        outcome.error = kCancelledBeforeStart;
    } else if (const RegisteredTask* entry = registry.find(job.task.task_name); entry == nullptr) {
        outcome.state = TaskState::failure;
        outcome.error = "unknown task '" + job.task.task_name + "'";
    } else if (isolation.mode == Isolation::process) {
        // Only when stopping: the slot has no executor to send it to.
        outcome.state = TaskState::failure;
        outcome.retryable = true;
        outcome.error = "no task process could be started to run it";
    } else {
        run_handler(*entry, context, job.task.payload.data(), job.task.payload.size(), outcome);
    }
    outcome.task_id = job.task.task_id;
    outcome.started_at = job.started_at;
    outcome.finished_at = Clock::now();
    // After the handler returned a cancel can change nothing, so the task
    // stops being cancellable here, before its context goes away. The task
    // still counts in running() until its outcome is delivered, so an owner
    // that sees running() == 0 knows every outcome has been handed over.
    const bool is_timed_out = end_run(&context, job.run_id);
    return finish(std::move(job), std::move(outcome), is_timed_out);
}

bool ExecutionEngine::Impl::finish_answered(Job job, TaskOutcome&& outcome, bool is_timed_out) {
    outcome.task_id = job.task.task_id;
    // A task cancelled while it waited behind another in the executor
    // never ran, although it was counted started when it came first.
    const bool never_ran =
        outcome.state == TaskState::cancelled && outcome.error == kCancelledBeforeStart;
    outcome.started_at = never_ran ? Timestamp{} : job.started_at;
    outcome.finished_at = Clock::now();
    return finish(std::move(job), std::move(outcome), is_timed_out);
}

bool ExecutionEngine::Impl::finish(Job job, TaskOutcome&& outcome, bool is_timed_out) {
    if (spdlog::should_log(spdlog::level::debug)) {
        spdlog::debug("task {} '{}' ended {}", outcome.task_id, job.task.task_name,
                      to_string(outcome.state));
    }
    job = Job{};  // release the payload and context before handing the outcome on
    if (is_timed_out) {
        spdlog::info("task {} returned {} after it timed out; its outcome is discarded",
                     outcome.task_id, to_string(outcome.state));
        return false;
    }
    deliver(std::move(outcome));
    return true;
}

ExecutionEngine::ExecutionEngine(const TaskRegistry& registry, std::size_t concurrency,
                                 CompletionSink on_done, std::size_t window,
                                 IsolationOptions isolation)
    : impl_(std::make_unique<Impl>(registry, concurrency, std::move(on_done), window,
                                   std::move(isolation))) {
    impl_->threads.reserve(impl_->concurrency);
    for (std::size_t i = 0; i < impl_->concurrency; ++i) {
        if (impl_->isolation.mode == Isolation::process) {
            impl_->threads.emplace_back([impl = impl_.get(), parking = impl_->parkings[i].get()] {
                impl->process_main(parking->slot, *parking);
            });
        } else {
            impl_->threads.emplace_back([impl = impl_.get()] { impl->thread_main(); });
        }
    }
    impl_->watchdog = std::thread([impl = impl_.get()] { impl->watchdog_main(); });
}

ExecutionEngine::~ExecutionEngine() {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->is_stopping = true;
        for (auto& [task_id, run] : impl_->contexts) run.context->request_cancel();
    }
    impl_->work_ready.notify_all();
    for (auto& parking : impl_->parkings) parking->wake.ring();
    impl_->deadlines_changed.notify_all();
    impl_->stopping_changed.notify_all();
    impl_->watchdog.join();
    for (auto& thread : impl_->threads) thread.join();
}

int ExecutionEngine::answers_fd() const { return impl_->answer_poll.get(); }

void ExecutionEngine::collect_answers() {
    if (impl_->answer_poll.get() < 0) return;
    std::array<epoll_event, 16> ready{};
    int count = 0;
    do {
        count =
            ::epoll_wait(impl_->answer_poll.get(), ready.data(), static_cast<int>(ready.size()), 0);
    } while (count < 0 && errno == EINTR);
    for (int i = 0; i < count; ++i) {
        impl_->take_answers(
            *static_cast<Impl::Parking*>(ready[static_cast<std::size_t>(i)].data.ptr));
    }
}

std::size_t ExecutionEngine::concurrency() const { return impl_->concurrency; }

Isolation ExecutionEngine::isolation() const { return impl_->isolation.mode; }

bool ExecutionEngine::wait_until_ready(std::chrono::milliseconds timeout) {
    if (impl_->isolation.mode == Isolation::thread) return true;
    std::unique_lock<std::mutex> lock(impl_->mutex);
    return impl_->slots_ready.wait_for(lock, timeout, [&] {
        return impl_->ready_slots == impl_->concurrency || impl_->is_stopping;
    }) && impl_->ready_slots == impl_->concurrency;
}

std::uint64_t ExecutionEngine::task_process_restarts() const { return impl_->restarts.load(); }

std::size_t ExecutionEngine::free_slots() const { return impl_->free_slots.load(); }

std::size_t ExecutionEngine::waiting() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->waiting_count;
}

std::size_t ExecutionEngine::idle_threads() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->idle_thread_count;
}

std::size_t ExecutionEngine::running() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->undelivered;
}

void ExecutionEngine::start(TaskAssignment task) {
    auto context = std::make_unique<fq_task_context>(task.task_id, task.task_name);
    const auto limit = effective_timeout(task, impl_->registry);
    bool is_deadline_first = false;
    Impl::Parking* handed_to = nullptr;
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        // Calling start() without a free slot, or on an engine being
        // destroyed, is a bug in the owner, not bad input.
        if (impl_->is_stopping) throw std::logic_error("ExecutionEngine::start while stopping");
        if (impl_->free_slots == 0) {
            throw std::logic_error("ExecutionEngine::start with no free slot (concurrency " +
                                   std::to_string(impl_->concurrency) + ")");
        }
        --impl_->free_slots;
        ++impl_->undelivered;
        impl_->contexts.emplace(task.task_id, Impl::HeldRun{context.get()});
        const auto priority = static_cast<std::size_t>(task.priority);
        Impl::Job job{std::move(task), std::move(context), limit};
        if (Impl::Parking* parking = impl_->hand_to_parked(job, &is_deadline_first)) {
            handed_to = parking;
        } else {
            impl_->waiting[priority].push_back(std::move(job));
            ++impl_->waiting_count;
            if (impl_->is_batching) {
                ++impl_->held_wakeups;
                return;
            }
        }
    }
    if (is_deadline_first) impl_->deadlines_changed.notify_one();
    // A thread handed a task sleeps on until its executor answers.
    if (handed_to != nullptr) return;
    impl_->wake_idle(1);
}

ExecutionEngine::StartBatch::StartBatch(ExecutionEngine& engine) : engine_(engine) {
    std::lock_guard<std::mutex> lock(engine_.impl_->mutex);
    if (engine_.impl_->is_batching) throw std::logic_error("ExecutionEngine: nested StartBatch");
    engine_.impl_->is_batching = true;
}

ExecutionEngine::StartBatch::~StartBatch() {
    std::size_t wakeups = 0;
    {
        std::lock_guard<std::mutex> lock(engine_.impl_->mutex);
        engine_.impl_->is_batching = false;
        wakeups = std::exchange(engine_.impl_->held_wakeups, 0);
    }
    // A woken thread takes waiting tasks until none is left, so one wake per
    // thread is enough however many tasks were started.
    if (wakeups > 0) engine_.impl_->wake_idle(std::min(wakeups, engine_.impl_->concurrency));
}

std::chrono::milliseconds effective_timeout(const TaskAssignment& task,
                                            const TaskRegistry& registry) {
    if (task.timeout.count() > 0) return task.timeout;
    if (const RegisteredTask* entry = registry.find(task.task_name);
        entry != nullptr && entry->default_timeout_ms > 0) {
        return std::chrono::milliseconds(entry->default_timeout_ms);
    }
    return task.fallback_timeout;
}

bool ExecutionEngine::cancel(std::string_view task_id) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto [first, last] = impl_->contexts.equal_range(std::string(task_id));
    if (first == last) return false;
    for (auto it = first; it != last; ++it) it->second.context->request_cancel();
    return true;
}

void ExecutionEngine::cancel_all() {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (auto& [task_id, run] : impl_->contexts) run.context->request_cancel();
}

std::optional<TaskAssignment> ExecutionEngine::reclaim_waiting_below(Priority priority) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (auto level = static_cast<std::size_t>(kPriorityCount);
         level-- > static_cast<std::size_t>(priority) + 1;) {
        auto& jobs = impl_->waiting[level];
        if (!jobs.empty()) return impl_->give_back(jobs, std::prev(jobs.end()));
    }
    return std::nullopt;
}

std::optional<TaskAssignment> ExecutionEngine::withdraw_waiting(std::string_view task_id) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (auto& jobs : impl_->waiting) {
        auto it = std::find_if(jobs.begin(), jobs.end(),
                               [&](const Impl::Job& job) { return job.task.task_id == task_id; });
        if (it != jobs.end()) return impl_->give_back(jobs, it);
    }
    return std::nullopt;
}

std::vector<TaskAssignment> ExecutionEngine::take_all_waiting() {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    std::vector<TaskAssignment> tasks;
    tasks.reserve(impl_->waiting_count);
    for (auto& jobs : impl_->waiting) {
        while (!jobs.empty()) tasks.push_back(impl_->give_back(jobs, jobs.begin()));
    }
    return tasks;
}

std::optional<RunView> ExecutionEngine::inspect(std::string_view task_id) const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->contexts.find(std::string(task_id));
    if (it == impl_->contexts.end()) return std::nullopt;
    RunView view;
    view.has_started = it->second.started_at != Timestamp{};
    view.started_at = it->second.started_at;
    view.progress = it->second.context->progress();
    return view;
}

std::size_t ExecutionEngine::wait_idle(std::chrono::milliseconds grace) {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    impl_->idle.wait_for(lock, grace, [&] { return impl_->undelivered == 0; });
    return impl_->undelivered;
}

TaskOutcome cancelled_outcome(std::string task_id, std::string reason) {
    TaskOutcome outcome;
    outcome.task_id = std::move(task_id);
    outcome.state = TaskState::cancelled;
    outcome.error = std::move(reason);
    return outcome;
}

void fail_oversized_result(TaskOutcome& outcome, std::size_t max_result_bytes) {
    if (outcome.state != TaskState::success) return;
    const std::size_t result_bytes = std::max(outcome.result.size(), outcome.shared_result.size());
    if (result_bytes <= max_result_bytes) return;
    outcome.state = TaskState::failure;
    outcome.error = "result of " + std::to_string(result_bytes) +
                    " bytes is larger than --max-payload-bytes (" +
                    std::to_string(max_result_bytes) + ")";
    outcome.retryable = false;
    outcome.result = std::string();
    outcome.shared_result = SharedBytes();
}

void apply_outcome(TaskRecord& record, TaskOutcome&& outcome) {
    record.state = outcome.state;
    record.result = std::move(outcome.result);
    record.error = std::move(outcome.error);
    record.retryable = outcome.retryable;
    record.scheduled_for = Timestamp{};
    if (outcome.started_at != Timestamp{}) record.started_at = outcome.started_at;
    record.finished_at = outcome.finished_at != Timestamp{} ? outcome.finished_at : Clock::now();
}

}  // namespace fastqueue

// soak_run.cpp -- the client threads, the killer thread and the sampling
// loop of a soak run. Counters are atomics shared by the threads; the few
// problem records are kept under a mutex.
#include "soak_run.hpp"

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "fastqueue/client.hpp"
#include "launch/process_status.hpp"
#include "task_mix.hpp"

namespace fastqueue::soak {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Problems and tool errors kept for the report; the counters count them all.
constexpr std::size_t kMaxProblemsKept = 20;
// Long enough that a loaded 2-core machine answers; a SUBMIT or QUERY with
// no answer in this time counts as unanswered (or a query error).
constexpr auto kClientTimeout = std::chrono::seconds(10);
// With --kill-control-plane, record queries wait this long instead: a query
// the killed control plane never answered is asked again of its successor
// soon, not after kClientTimeout, during which the task could finish and
// result_cache_size later ones push its record out unread.
constexpr auto kQueryTimeoutAcrossKills = std::chrono::seconds(1);
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kBusyBackoffFirst = std::chrono::milliseconds(5);
constexpr auto kBusyBackoffMax = std::chrono::milliseconds(100);
constexpr auto kPollBackoffFirst = std::chrono::milliseconds(1);
constexpr auto kPollBackoffMax = std::chrono::milliseconds(100);
constexpr auto kSampleInterval = std::chrono::seconds(1);
constexpr auto kNotFoundPatience = std::chrono::seconds(10);
// How long a restarted control plane may take to answer (its journal
// recovered, its ports bound) before the killer gives up.
constexpr auto kRestartTimeout = std::chrono::seconds(60);

SteadyClock::duration seconds(double value) {
    return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(value));
}

std::string describe(const TaskRecord& record) {
    std::string text = "state " + std::string(to_string(record.state)) + ", attempts " +
                       std::to_string(record.attempts) + ", worker '" + record.worker_id + "'";
    if (!record.error.empty()) text += ", error '" + record.error + "'";
    if (!record.result.empty()) text += ", result " + record.result.substr(0, 80);
    return text;
}

class SoakRun {
public:
    SoakRun(const SoakOptions& options, launch::LocalCluster& cluster)
        : options_(options), cluster_(cluster) {}

    SoakResult run();

private:
    void client_thread();
    std::optional<std::string> submit_until_accepted(Client& client, std::uint64_t index,
                                                     const SoakTask& task);
    // Returns the final record read, or std::nullopt when there was none.
    std::optional<TaskRecord> await_final_record(Client& client, std::uint64_t index,
                                                 const std::string& task_id,
                                                 const std::string& task_name,
                                                 std::uint64_t accepted_before);
    void open_query_connection(Client& client);
    void count_final_record(std::uint64_t index, const std::string& task_id,
                            const std::string& task_name, const TaskRecord& record);
    void killer_thread();
    void control_plane_killer_thread();
    // One kill of the control plane and its restart; false when it failed.
    bool kill_and_restart_control_plane();
    void keep_problem(std::uint64_t index, const std::string& task_id, const std::string& task_name,
                      const std::string& what);
    void add_tool_error(const std::string& what);
    bool is_submitting() const {
        return next_index_.load() < options_.task_count && SteadyClock::now() < submit_deadline_ &&
               !is_kill_plan_done_.load();
    }
    void print_progress(SteadyClock::time_point now) const;
    // "12.345 s into the run", for problem reports.
    std::string seconds_into_run(SteadyClock::time_point at) const {
        char text[48];
        std::snprintf(text, sizeof(text), "%.3f s into the run",
                      std::chrono::duration<double>(at - start_).count());
        return text;
    }

    const SoakOptions& options_;
    launch::LocalCluster& cluster_;
    SteadyClock::time_point start_;
    SteadyClock::time_point submit_deadline_;  // start + max_seconds
    SteadyClock::time_point final_deadline_;   // submit_deadline_ + drain_seconds

    std::atomic<std::uint64_t> next_index_{0};
    std::atomic<int> running_clients_{0};
    std::atomic<std::uint64_t> sent_{0}, accepted_{0}, refused_busy_{0}, refused_other_{0},
        unanswered_{0}, succeeded_{0}, failed_{0}, failed_as_expected_{0}, worker_lost_{0},
        ran_more_than_once_{0}, wrong_{0}, lost_{0}, not_found_then_found_{0},
        evicted_before_read_{0}, query_errors_{0}, kills_{0}, restarts_{0};
    std::atomic<std::uint32_t> max_attempts_{0};
    // --kill-control-plane: the control plane's current pid (for sampling its
    // memory while the killer restarts it), and whether the last kill and its
    // interval are over (submitting stops).
    std::atomic<pid_t> control_plane_pid_{-1};
    std::atomic<bool> is_kill_plan_done_{false};
    std::atomic<std::int64_t> max_down_ns_{0};

    std::mutex mutex_;
    std::condition_variable killer_wakeup_;
    bool is_stopping_ = false;              // guarded by mutex_
    std::vector<TaskProblem> problems_;     // guarded by mutex_
    std::vector<std::string> tool_errors_;  // guarded by mutex_
    // --kill-control-plane only: the tasks the client threads saw acknowledged
    // (each thread adds its own when it ends) and the moments of the kills.
    std::vector<AcknowledgedTask> acknowledged_;       // guarded by mutex_
    std::vector<SteadyClock::time_point> kill_times_;  // guarded by mutex_
    bool has_killer_failed_ = false;                   // only the killer thread uses it
};

void SoakRun::keep_problem(std::uint64_t index, const std::string& task_id,
                           const std::string& task_name, const std::string& what) {
    std::lock_guard lock(mutex_);
    if (problems_.size() < kMaxProblemsKept) problems_.push_back({index, task_id, task_name, what});
}

void SoakRun::add_tool_error(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (tool_errors_.size() < kMaxProblemsKept) tool_errors_.push_back(what);
}

std::optional<std::string> SoakRun::submit_until_accepted(Client& client, std::uint64_t index,
                                                          const SoakTask& task) {
    auto backoff = kBusyBackoffFirst;
    while (SteadyClock::now() < submit_deadline_) {
        ++sent_;
        try {
            std::string task_id = client.submit(task.name, task.payload);
            ++accepted_;
            return task_id;
        } catch (const ClientError& error) {
            switch (error.kind()) {
                case ClientErrorKind::busy:
                    // A full queue: the same task is offered again a little later.
                    ++refused_busy_;
                    std::this_thread::sleep_for(backoff);
                    backoff = std::min(backoff * 2, kBusyBackoffMax);
                    continue;
                case ClientErrorKind::unreachable:
                    // It may or may not have been queued; the client library
                    // does not say which task id it used, so it cannot be
                    // followed or resent safely.
                    ++unanswered_;
                    keep_problem(index, "", task.name,
                                 std::string("SUBMIT not answered: ") + error.what());
                    return std::nullopt;
                default:
                    ++refused_other_;
                    keep_problem(index, "", task.name,
                                 std::string("SUBMIT refused: ") + error.what());
                    return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

std::optional<TaskRecord> SoakRun::await_final_record(Client& client, std::uint64_t index,
                                                      const std::string& task_id,
                                                      const std::string& task_name,
                                                      std::uint64_t accepted_before) {
    auto backoff = kPollBackoffFirst;
    std::string last_seen = "no record read yet";
    // Since when the control plane has answered "not found" for this task.
    bool is_not_found = false;
    SteadyClock::time_point not_found_since{};
    while (SteadyClock::now() < final_deadline_) {
        std::optional<TaskRecord> record;
        bool is_answered = true;
        try {
            record = client.get(task_id);
        } catch (const ClientError&) {
            ++query_errors_;
            is_answered = false;  // asked again after the backoff
        }
        const auto now = SteadyClock::now();
        if (is_answered && !record) {
            // An acknowledged task has a record until the result cache
            // evicts it, which takes result_cache_size later records; when
            // that many tasks were accepted since, its record may be gone
            // without a fault, and the task cannot be checked.
            const std::uint64_t accepted_since = accepted_.load() - accepted_before;
            if (accepted_since + options_.in_flight >= options_.result_cache_size) {
                ++evicted_before_read_;
                keep_problem(index, task_id, task_name,
                             "\"not found\" at " + seconds_into_run(now) + ", after " +
                                 std::to_string(accepted_since) +
                                 " later tasks were accepted: evicted before it was read? Last "
                                 "seen: " +
                                 last_seen);
                return std::nullopt;
            }
            // Otherwise "not found" is wrong. The task is asked for again for
            // a while, so that a record missing only for a moment is told
            // apart from a task that is gone.
            if (!is_not_found) {
                is_not_found = true;
                not_found_since = now;
            }
            if (now - not_found_since >= kNotFoundPatience) {
                ++lost_;
                keep_problem(index, task_id, task_name,
                             "acknowledged, then \"not found\" for " +
                                 std::to_string(kNotFoundPatience.count()) + " s from " +
                                 seconds_into_run(not_found_since) + "; before that: " + last_seen);
                return std::nullopt;
            }
        } else if (record && is_not_found) {
            ++not_found_then_found_;
            const auto gap_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(now - not_found_since);
            keep_problem(index, task_id, task_name,
                         "acknowledged, answered \"not found\" at " +
                             seconds_into_run(not_found_since) + ", then found " +
                             std::to_string(gap_ms.count()) + " ms later: " + describe(*record));
            is_not_found = false;
        }
        if (record && is_finished(record->state)) {
            count_final_record(index, task_id, task_name, *record);
            return record;
        }
        if (record) last_seen = describe(*record);
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, kPollBackoffMax);
    }
    ++lost_;
    keep_problem(index, task_id, task_name,
                 "not finished at the end of the drain; last seen: " + last_seen);
    return std::nullopt;
}

void SoakRun::count_final_record(std::uint64_t index, const std::string& task_id,
                                 const std::string& task_name, const TaskRecord& record) {
    if (record.attempts > 1) ++ran_more_than_once_;
    std::uint32_t seen = max_attempts_.load();
    while (record.attempts > seen && !max_attempts_.compare_exchange_weak(seen, record.attempts)) {
    }
    if (record.state == TaskState::success) ++succeeded_;
    if (record.state == TaskState::failure) ++failed_;
    switch (judge(index, options_, record)) {
        case Verdict::correct:
            if (record.state == TaskState::failure) ++failed_as_expected_;
            break;
        case Verdict::worker_lost:
            ++worker_lost_;
            break;
        case Verdict::wrong:
            ++wrong_;
            keep_problem(index, task_id, task_name, "wrong: " + describe(record));
            break;
    }
}

void SoakRun::open_query_connection(Client& client) {
    // The client connects each socket on first use. Under heavy load the
    // first connection can take seconds (a dropped SYN is sent again after
    // 1 s, then 2 s), and a task's record must not wait for it: the query
    // socket is opened with a query for an id no task has, before the first
    // SUBMIT.
    static const std::string kUnusedTaskId = "00000000-0000-4000-8000-000000000000";
    while (SteadyClock::now() < submit_deadline_) {
        try {
            client.get(kUnusedTaskId);
            return;
        } catch (const ClientError&) {
            ++query_errors_;
        }
    }
}

void SoakRun::client_thread() {
    std::vector<AcknowledgedTask> acknowledged;  // --kill-control-plane only
    try {
        ClientOptions client_options;
        client_options.control_plane_address = cluster_.control_plane_address();
        client_options.timeout = kClientTimeout;
        Client client(client_options);
        // Queries go through a second client with the shorter timeout when
        // the control plane is killed; otherwise through the same one.
        std::optional<Client> query_client;
        if (options_.is_killing_control_plane) {
            ClientOptions query_options = client_options;
            query_options.timeout = kQueryTimeoutAcrossKills;
            query_client.emplace(query_options);
        }
        Client& queries = query_client ? *query_client : client;
        open_query_connection(queries);
        while (is_submitting()) {
            const std::uint64_t index = next_index_++;
            if (index >= options_.task_count) break;
            const SoakTask task = make_task(index, options_);
            const auto submitted_at = SteadyClock::now();
            if (auto task_id = submit_until_accepted(client, index, task)) {
                // Tasks accepted before this one was: the result cache holds
                // the last result_cache_size records, so this tells whether
                // its record can have been evicted before it was read.
                const std::uint64_t accepted_before = accepted_.load();
                auto record =
                    await_final_record(queries, index, *task_id, task.name, accepted_before);
                if (options_.is_killing_control_plane) {
                    AcknowledgedTask& seen = acknowledged.emplace_back();
                    seen.index = index;
                    seen.task_id = *task_id;
                    seen.task_name = task.name;
                    seen.submitted_at = submitted_at;
                    if (record) {
                        seen.finished_at = SteadyClock::now();
                        seen.attempts = record->attempts;
                        seen.is_finished = true;
                    }
                }
            }
        }
    } catch (const std::exception& error) {
        add_tool_error(std::string("a client thread failed: ") + error.what());
    }
    if (!acknowledged.empty()) {
        std::lock_guard lock(mutex_);
        acknowledged_.insert(acknowledged_.end(), acknowledged.begin(), acknowledged.end());
    }
    --running_clients_;
}

void SoakRun::killer_thread() {
    const auto interval = seconds(options_.kill_interval_seconds);
    const auto restart_delay = seconds(options_.restart_delay_seconds);
    int victim = 0;
    // This thread lives until the run stops, not only while it kills: a
    // subworker it restarted gets SIGTERM when the thread that started it
    // ends (PR_SET_PDEATHSIG, see LocalCluster).
    std::unique_lock lock(mutex_);
    while (true) {
        killer_wakeup_.wait_for(lock, interval, [&] { return is_stopping_; });
        if (is_stopping_) return;
        if (!is_submitting() || has_killer_failed_) continue;
        lock.unlock();
        try {
            if (cluster_.kill_subworker(victim, SIGKILL)) ++kills_;
            // The restart is not cut short by the end of the run: a killed
            // subworker is always started again.
            std::this_thread::sleep_for(restart_delay);
            cluster_.restart_subworker(victim);
            ++restarts_;
        } catch (const std::exception& error) {
            add_tool_error(std::string("the killer failed: ") + error.what());
            has_killer_failed_ = true;
        }
        victim = (victim + 1) % options_.cluster.subworker_count;
        lock.lock();
    }
}

bool SoakRun::kill_and_restart_control_plane() {
    try {
        const auto killed_at = SteadyClock::now();
        if (!cluster_.kill_control_plane(SIGKILL)) {
            add_tool_error("the control plane was not running, or did not die, at a kill");
            return false;
        }
        {
            std::lock_guard lock(mutex_);
            kill_times_.push_back(killed_at);
        }
        ++kills_;
        control_plane_pid_ = -1;
        // The restart is not cut short by the end of the run: a killed
        // control plane is always started again, on the same journal.
        std::this_thread::sleep_for(seconds(options_.restart_delay_seconds));
        cluster_.restart_control_plane();
        control_plane_pid_ = cluster_.control_plane_pid();
        ++restarts_;
        if (!cluster_.wait_until_control_plane_answers(SteadyClock::now() + kRestartTimeout)) {
            add_tool_error("the control plane did not answer within " +
                           std::to_string(kRestartTimeout.count()) + " s of its restart");
            return false;
        }
        const auto down =
            std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - killed_at)
                .count();
        std::int64_t longest = max_down_ns_.load();
        while (down > longest && !max_down_ns_.compare_exchange_weak(longest, down)) {
        }
        return true;
    } catch (const std::exception& error) {
        add_tool_error(std::string("the killer failed: ") + error.what());
        return false;
    }
}

void SoakRun::control_plane_killer_thread() {
    // Each wait is uniform in 0.5..1.5 x the interval, so that kills land at
    // every point of the control plane's loop, not in step with its timers.
    std::mt19937_64 random(std::random_device{}());
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    std::uint64_t kills_done = 0;
    // As killer_thread(): this thread lives until the run stops, so that the
    // control plane it restarted is not sent SIGTERM when it ends.
    std::unique_lock lock(mutex_);
    while (true) {
        const auto wait = seconds(options_.kill_interval_seconds * jitter(random));
        killer_wakeup_.wait_for(lock, wait, [&] { return is_stopping_; });
        if (is_stopping_) return;
        if (kills_done >= options_.control_plane_kills || has_killer_failed_) {
            // One interval after the last restart: the load has run on the
            // last recovered journal; submitting stops.
            is_kill_plan_done_ = true;
            continue;
        }
        if (!is_submitting()) continue;
        lock.unlock();
        if (kill_and_restart_control_plane()) {
            ++kills_done;
        } else {
            has_killer_failed_ = true;
        }
        lock.lock();
    }
}

void SoakRun::print_progress(SteadyClock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const std::uint64_t done = succeeded_ + failed_ + lost_;
    std::cerr << "fastqueue-soak: " << static_cast<long>(elapsed) << " s, " << accepted_.load()
              << " of " << options_.task_count << " accepted, "
              << succeeded_.load() + failed_.load() << " finished, " << kills_.load() << " kills, "
              << refused_busy_.load() << " busy, " << lost_.load() << " lost, " << wrong_.load()
              << " wrong ("
              << static_cast<long>(elapsed > 0 ? static_cast<double>(done) / elapsed : 0)
              << " tasks/s)\n";
}

SoakResult SoakRun::run() {
    start_ = SteadyClock::now();
    submit_deadline_ = start_ + seconds(options_.max_seconds);
    final_deadline_ = submit_deadline_ + seconds(options_.drain_seconds);

    std::vector<std::thread> clients;
    running_clients_ = static_cast<int>(options_.in_flight);
    for (std::uint32_t i = 0; i < options_.in_flight; ++i)
        clients.emplace_back([this] { client_thread(); });
    control_plane_pid_ = cluster_.control_plane_pid();
    std::thread killer;
    if (options_.is_killing_control_plane) {
        killer = std::thread([this] { control_plane_killer_thread(); });
    } else if (options_.kill_interval_seconds > 0) {
        killer = std::thread([this] { killer_thread(); });
    }

    // Sample the control plane's memory and report progress until every
    // client thread is done; each is bounded by final_deadline_.
    std::vector<std::uint64_t> rss_samples;
    auto next_progress = start_ + seconds(options_.progress_seconds);
    while (running_clients_.load() > 0) {
        if (auto rss = launch::read_resident_bytes(control_plane_pid_.load())) {
            rss_samples.push_back(*rss);
        }
        const auto now = SteadyClock::now();
        if (options_.progress_seconds > 0 && now >= next_progress) {
            print_progress(now);
            next_progress = now + seconds(options_.progress_seconds);
        }
        // Wakes early when the last client is done, so the run ends promptly.
        const auto wake = now + kSampleInterval;
        while (running_clients_.load() > 0 && SteadyClock::now() < wake) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    const auto end = SteadyClock::now();
    for (auto& client : clients) client.join();
    {
        std::lock_guard lock(mutex_);
        is_stopping_ = true;
    }
    killer_wakeup_.notify_all();
    if (killer.joinable()) killer.join();

    SoakResult result;
    result.requested = options_.task_count;
    result.sent = sent_;
    result.accepted = accepted_;
    result.refused_busy = refused_busy_;
    result.refused_other = refused_other_;
    result.unanswered = unanswered_;
    result.succeeded = succeeded_;
    result.failed = failed_;
    result.failed_as_expected = failed_as_expected_;
    result.worker_lost = worker_lost_;
    result.ran_more_than_once = ran_more_than_once_;
    result.max_attempts = max_attempts_;
    result.wrong = wrong_;
    result.lost = lost_;
    result.not_found_then_found = not_found_then_found_;
    result.evicted_before_read = evicted_before_read_;
    result.query_errors = query_errors_;
    result.kills = kills_;
    result.restarts = restarts_;
    // With --kill-control-plane, submitting ends when the kills are done, so
    // only a run whose deadline came first was stopped by time.
    result.is_stopped_by_time = accepted_ + refused_other_ + unanswered_ < options_.task_count &&
                                !is_kill_plan_done_.load();
    result.elapsed_seconds = std::chrono::duration<double>(end - start_).count();
    if (options_.is_killing_control_plane) {
        result.control_plane_kills_requested = options_.control_plane_kills;
        result.max_control_plane_down_seconds = static_cast<double>(max_down_ns_.load()) / 1e9;
        std::uint64_t malformed = 0;
        const auto runs = read_run_trace(options_.trace_path, malformed);
        result.runs = count_runs(acknowledged_, runs, kill_times_, start_,
                                 [&](const AcknowledgedTask& task, const std::string& what) {
                                     keep_problem(task.index, task.task_id, task.task_name, what);
                                 });
        result.runs.malformed_lines = malformed;
        for (auto kill : kill_times_) {
            result.kill_seconds.push_back(std::chrono::duration<double>(kill - start_).count());
        }
    }
    result.problems = problems_;
    result.tool_errors = tool_errors_;

    result.rss_samples = rss_samples.size();
    if (!rss_samples.empty()) {
        const std::size_t third = std::max<std::size_t>(1, rss_samples.size() / 3);
        result.rss_first_bytes = rss_samples.front();
        result.rss_last_bytes = rss_samples.back();
        result.rss_max_bytes = *std::max_element(rss_samples.begin(), rss_samples.end());
        result.rss_first_third_max_bytes =
            *std::max_element(rss_samples.begin(), rss_samples.begin() + third);
        result.rss_last_third_max_bytes =
            *std::max_element(rss_samples.end() - third, rss_samples.end());
    }
    return result;
}

}  // namespace

SoakResult run_soak(const SoakOptions& options) {
    if (!options.is_killing_control_plane) {
        launch::LocalCluster cluster(options.cluster, SteadyClock::now() + kStartTimeout);
        SoakResult result = SoakRun(options, cluster).run();
        cluster.stop_all();
        result.processes = cluster.processes();
        result.log_dir = cluster.log_dir();
        return result;
    }
    // The run's own directory: the trace file, and the journal unless
    // --journal-dir named one.
    std::string dir_template = "/tmp/fastqueue-soak-journal-XXXXXX";
    if (::mkdtemp(dir_template.data()) == nullptr) {
        throw std::runtime_error("cannot create a directory for the journal and the trace");
    }
    const std::filesystem::path run_dir = dir_template;
    SoakOptions traced = options;
    traced.trace_path = (run_dir / "runs.txt").string();
    if (traced.cluster.journal_dir.empty())
        traced.cluster.journal_dir = (run_dir / "journal").string();
    SoakResult result;
    try {
        launch::LocalCluster cluster(traced.cluster, SteadyClock::now() + kStartTimeout);
        result = SoakRun(traced, cluster).run();
        cluster.stop_all();
        result.processes = cluster.processes();
        result.log_dir = cluster.log_dir();
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(run_dir, ignored);
        throw;
    }
    result.run_dir = run_dir.string();
    result.journal_dir = traced.cluster.journal_dir;
    result.is_run_dir_kept = !result.is_clean();
    if (!result.is_run_dir_kept) {
        std::error_code ignored;
        std::filesystem::remove_all(run_dir, ignored);
    }
    return result;
}

}  // namespace fastqueue::soak

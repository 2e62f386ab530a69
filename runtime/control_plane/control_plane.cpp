// control_plane.cpp -- see control_plane.hpp.
//
// Threads: one I/O thread owns every socket, the priority queue, the table of
// live (queued and running) tasks and the result cache; the execution
// engine's handler threads only run handlers and post outcomes back through a
// mailbox. Nothing here blocks on a handler.
#include "control_plane/control_plane.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "common/backoff.hpp"
#include "common/receive_batch.hpp"
#include "config/control_plane_options.hpp"
#include "control_plane/control_plane_impl.hpp"
#include "control_plane/timer_list.hpp"
#include "execution/engine_drain.hpp"
#include "execution/unstarted_tasks.hpp"
#include "protocol/submit_options.hpp"
#include "transport/curve_certificate.hpp"
#include "transport/frame_limits.hpp"
#include "transport/input_poller.hpp"

namespace fastqueue {
namespace {

constexpr auto kCacheSweepInterval = std::chrono::seconds(60);
// A journal that cannot write logs it at most this often.
constexpr auto kJournalFailureLogInterval = std::chrono::seconds(10);

using Milliseconds = std::chrono::milliseconds;

}  // namespace

ControlPlane::Impl::Impl(const ControlPlaneSettings& settings_in, const TaskRegistry& registry_in)
    : settings(settings_in), registry(registry_in) {}

void ControlPlane::Impl::open_journal() {
    if (settings.journal_dir.empty()) return;
    journal = TaskJournal::open(settings, tasks);
    client_ports.hold_answers_until_written();
    local.hold_starts();
}

bool ControlPlane::Impl::commit_journal() {
    const bool is_written = write_journal();
    return sync_journal() && is_written;
}

bool ControlPlane::Impl::sync_journal() {
    const auto error = journal->sync();
    if (!error) return true;
    const auto now = SteadyClock::now();
    if (!is_journal_failing || now - journal_failure_logged >= kJournalFailureLogInterval) {
        spdlog::error("journal {}: cannot sync: {}; answers wait until a sync succeeds",
                      journal->dir().string(), error.message());
        journal_failure_logged = now;
    }
    is_journal_failing = true;
    return false;
}

bool ControlPlane::Impl::write_journal() {
    auto result = journal->write();
    if (!result.error) {
        if (is_journal_failing) spdlog::info("journal {}: writing again", journal->dir().string());
        is_journal_failing = false;
        return true;
    }
    // Nothing unwritten is acknowledged: this turn's submissions are
    // refused as busy and removed; other records are tried again.
    const std::string reason = "busy: journal: " + result.error.message();
    for (const TaskId& id : result.refused) {
        tasks.withdraw(id);
        client_ports.refuse_pending_ack(id, reason);
    }
    const auto now = SteadyClock::now();
    if (!is_journal_failing || now - journal_failure_logged >= kJournalFailureLogInterval) {
        spdlog::error(
            "journal {}: cannot write: {}; {} submission(s) refused, other records kept "
            "to be written again",
            journal->dir().string(), result.error.message(), result.refused.size());
        journal_failure_logged = now;
    }
    is_journal_failing = true;
    return false;
}

void ControlPlane::Impl::bind_ports() {
    std::string error;
    auto base = parse_endpoint(settings.base_address, &error);
    if (!base)
        throw std::runtime_error("invalid base address '" + settings.base_address + "': " + error);
    // With CURVE, the ZAP handler answers before the first port is bound;
    // clients' ports and discovery admit client and subworker keys, the
    // management port subworker keys only (transport/zap_handler.hpp).
    std::optional<CurveServerOptions> client_curve;
    std::optional<CurveServerOptions> subworker_curve;
    if (!settings.curve_secret_key.empty()) {
        const CurveKeyPair keys = read_curve_secret_key(settings.curve_secret_key);
        zap = std::make_unique<ZapHandler>(
            context, ZapPolicy{settings.authorized_clients == kAuthorizedClientsAny,
                               settings.authorized_clients == kAuthorizedClientsAny
                                   ? std::string()
                                   : settings.authorized_clients,
                               settings.authorized_subworkers,
                               {}});
        fleet.use_curve_keys(keys);
        client_curve = CurveServerOptions{keys, kClientZapDomain};
        subworker_curve = CurveServerOptions{keys, kSubworkerZapDomain};
        spdlog::info("CURVE on every port; public key {}", keys.public_key);
    }
    const CurveServerOptions* client_security = client_curve ? &*client_curve : nullptr;
    client_ports.bind(context, *base, settings.max_payload_bytes, client_security);
    const Endpoint management{base->host, effective_subworker_port(settings)};
    management_port = RouterSocket(context, management.to_string(), kManagementFrameBytes,
                                   subworker_curve ? &*subworker_curve : nullptr);
    // Two control planes cannot share a discovery address: the second one
    // fails here, at start-up, naming the address.
    announcer = std::make_unique<DiscoveryAnnouncer>(
        context, settings.discovery_address,
        protocol::Announce{settings.worker_id, settings.base_address,
                           static_cast<std::uint32_t>(management.port)},
        client_security);
}

void ControlPlane::Impl::run() {
    // Fixed poll items first, then one per subworker link polled this turn.
    enum Item {
        kManagement = ClientPorts::kItemCount,
        kDiscovery,
        kCompletions,
        kAnswers,
        kStop,
        kFixedItemCount
    };
    std::vector<zmq::pollitem_t> items(kFixedItemCount);
    client_ports.set_items(items);
    items[kManagement] = {management_port.handle(), 0, ZMQ_POLLIN, 0};
    items[kDiscovery] = {announcer->handle(), 0, ZMQ_POLLIN, 0};
    items[kCompletions] = {nullptr, local.wakeup_fd(), ZMQ_POLLIN, 0};
    items[kAnswers] = {nullptr, local.answers_fd(),
                       static_cast<short>(local.answers_fd() >= 0 ? ZMQ_POLLIN : 0), 0};
    items[kStop] = {nullptr, role_thread.stop_fd(), ZMQ_POLLIN, 0};
    InputPoller poller;
    std::vector<bool> unannounced;  // InputPoller::wait's flags, one per item

    const auto heartbeat_interval = std::chrono::milliseconds(settings.heartbeat_interval_ms);
    const auto announce_interval = std::chrono::milliseconds(settings.announce_interval_ms);
    // The periodic actions. The idle-link poll counts for the wait only
    // while some link is left out of the poll items (fleet.has_idle_links()).
    enum class Timer { cache_sweep, heartbeat, announce, idle_link_poll, journal_compact };
    TimerList<Timer> timers;
    const auto started = SteadyClock::now();
    timers.set(Timer::cache_sweep, started + kCacheSweepInterval);
    timers.set(Timer::heartbeat, started + heartbeat_interval);
    timers.set(Timer::announce, started);
    timers.set(Timer::idle_link_poll, started);
    if (journal) timers.set(Timer::journal_compact, started + TaskJournal::kCompactInterval);
    // Set once a stop was requested: the end of the grace period, and the
    // drain of the engine (none with --concurrency 0).
    std::optional<SteadyClock::time_point> grace_deadline;
    std::optional<EngineDrain> drain;

    while (true) {
        const auto now = SteadyClock::now();
        const bool is_polling_idle_links = timers.is_due(Timer::idle_link_poll, now);
        if (is_polling_idle_links) {
            timers.set(Timer::idle_link_poll, now + SubworkerFleet::kIdleLinkPollInterval);
        }
        fleet.update_items(items, kFixedItemCount, is_polling_idle_links);

        const auto next_timer = *timers.earliest(
            fleet.has_idle_links() ? std::nullopt : std::optional<Timer>(Timer::idle_link_poll));
        auto timeout = std::chrono::ceil<std::chrono::milliseconds>(next_timer - now);
        if (const auto due = tasks.next_due(); due && !grace_deadline) {
            // Round up: waking a little late is fine, early only spins.
            const auto until_due = std::chrono::ceil<Milliseconds>(*due - Clock::now());
            timeout = std::min(timeout, until_due);
        }
        if (grace_deadline)
            timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                            EngineDrain::kPollInterval));
        if (journal) {
            // Records waiting to be written (a dispatch's started records)
            // are written by the next turn, at once unless writing fails.
            if (journal->has_pending() || journal->has_unsynced()) {
                timeout =
                    std::min(timeout, is_journal_failing ? kJournalRetryInterval : Milliseconds(0));
            }
            if (const auto sync_due = journal->next_sync_due()) {
                timeout = std::min(timeout, std::chrono::ceil<Milliseconds>(*sync_due - now));
            }
        }
        // Which sockets InputPoller must ask before it blocks: the ports
        // this loop used since they last reported no input, and every link
        // polled (dispatch sends on them).
        unannounced.assign(items.size(), true);
        client_ports.take_unannounced(unannounced);
        unannounced[kManagement] = management_port.take_unannounced_input();
        unannounced[kDiscovery] = announcer->take_unannounced_input();
        poller.wait(items, unannounced, std::max(timeout, std::chrono::milliseconds(0)));

        if (items[kStop].revents & ZMQ_POLLIN) {
            role_thread.acknowledge_stop();
            if (!grace_deadline) {
                const double grace_seconds = settings.engine.shutdown_grace_seconds;
                grace_deadline =
                    SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                             std::chrono::duration<double>(grace_seconds));
                if (local.has_engine()) drain.emplace(local.engine(), grace_seconds);
                // Stop taking tasks: submission ports are no longer read, so
                // no new submission is acknowledged.
                ClientPorts::stop_submissions(items);
                cancel_queued_tasks("control plane shut down before the task started");
                spdlog::info("stopping: {} task(s) running here and {} on subworkers, grace {} s",
                             local.running(), fleet.pool().tasks_in_flight(),
                             settings.engine.shutdown_grace_seconds);
            }
        }
        for (int port = 0; port < kPriorityCount; ++port) {
            if (items[port].revents & ZMQ_POLLIN) receive_submissions(port);
        }
        if (items[ClientPorts::kQueryItem].revents & ZMQ_POLLIN) receive_queries();
        if (items[kManagement].revents & ZMQ_POLLIN) receive_management();
        if (items[kDiscovery].revents & ZMQ_POLLIN) announcer->read_subscriptions();
        // A link item may be closed while replies are handled (a lost
        // subworker), which stops this pass.
        fleet.for_each_ready(items, kFixedItemCount,
                             [this](const std::string& worker_id, int priority) {
                                 receive_subworker_replies(worker_id, priority);
                             });
        if (items[kAnswers].revents & ZMQ_POLLIN) {
            local.collect_answers();
        } else if (items[kCompletions].revents & ZMQ_POLLIN) {
            local.collect();
        }

        // The idle-link poll is taken at the top of the turn.
        const auto after_events = SteadyClock::now();
        while (const auto due = timers.take_due(after_events, Timer::idle_link_poll)) {
            switch (*due) {
                case Timer::heartbeat:
                    expire_silent_subworkers();
                    send_heartbeats();
                    timers.set(Timer::heartbeat, after_events + heartbeat_interval);
                    break;
                case Timer::announce:
                    announcer->announce();
                    timers.set(Timer::announce, after_events + announce_interval);
                    break;
                case Timer::cache_sweep:
                    if (const auto removed = tasks.cache().sweep_expired(); removed > 0) {
                        spdlog::debug("result cache: {} expired record(s) removed", removed);
                    }
                    timers.set(Timer::cache_sweep, after_events + kCacheSweepInterval);
                    break;
                case Timer::idle_link_poll:
                    break;
                case Timer::journal_compact:
                    // Run after this turn's commit, when nothing waits to be written.
                    is_compaction_due = true;
                    timers.set(Timer::journal_compact,
                               after_events + TaskJournal::kCompactInterval);
                    break;
            }
        }
        if (!grace_deadline) {
            tasks.release_due(Clock::now());
            dispatch_queued_tasks();
        }
        // With a journal, the turn's records -- acceptances, starts,
        // outcomes -- are written (one commit) before anything they report
        // is answered and before a dispatched task is sent: a task runs only
        // once its acceptance and its start are on disk.
        // The held dispatches need only the write (a crash of this process
        // keeps what is written), so they go before the sync: the tasks run
        // while the disk syncs. The answers wait for the sync.
        bool is_written = true;
        bool is_answerable = true;
        if (journal) {
            is_written = write_journal();
            send_held_dispatches();
            local.release_held();
            if (is_written) sync_journal();
            journal->sync_if_due();
            is_answerable = !journal->has_unsynced();
        }
        // After the dispatch: a task accepted this turn has started, and its
        // RESULT cannot be sent before the next turn, after its ACK.
        if (is_answerable) client_ports.send_pending_acks(is_written);
        if (is_compaction_due && !journal->has_pending()) {
            journal->compact();
            is_compaction_due = false;
        }

        if (grace_deadline) {
            const auto step = drain ? drain->advance() : EngineDrain::Step::finished;
            if (step == EngineDrain::Step::abandoned) break;
            if (step == EngineDrain::Step::finished &&
                (fleet.pool().tasks_in_flight() == 0 || SteadyClock::now() >= *grace_deadline)) {
                // Every local outcome has been posted; collect the last ones
                // before leaving, or those tasks' results are lost.
                local.collect();
                if (journal) client_ports.send_pending_acks(commit_journal());
                break;
            }
        }
    }
}

void ControlPlane::Impl::receive_submissions(int port) {
    auto& socket = client_ports.submit_port(port);
    for (int i = 0; i < kReceiveBatch; ++i) {
        auto envelope = socket.receive();
        if (!envelope) break;
        auto decoded = protocol::decode(envelope->body);
        if (!decoded.message) {
            reject(socket, *envelope, decoded.task_id, decoded.error);
            continue;
        }
        if (auto* submit = std::get_if<protocol::Submit>(&*decoded.message)) {
            accept_submission(port, envelope->routing_id, std::move(*submit));
        } else {
            reject(socket, *envelope, decoded.task_id,
                   "only SUBMIT is accepted on a submission port");
        }
    }
}

void ControlPlane::Impl::receive_queries() {
    for (int i = 0; i < kReceiveBatch; ++i) {
        auto envelope = client_ports.query_port().receive();
        if (!envelope) break;
        auto decoded = protocol::decode(envelope->body);
        if (!decoded.message) {
            reject(client_ports.query_port(), *envelope, decoded.task_id, decoded.error);
            continue;
        }
        if (const auto* query = std::get_if<protocol::Query>(&*decoded.message)) {
            answer_query(envelope->routing_id, *query);
        } else if (const auto* cancel = std::get_if<protocol::Cancel>(&*decoded.message)) {
            cancel_task(envelope->routing_id, *cancel);
        } else if (std::holds_alternative<protocol::WorkersQuery>(*decoded.message)) {
            answer_workers_query(envelope->routing_id);
        } else {
            reject(client_ports.query_port(), *envelope, decoded.task_id,
                   "only QUERY, CANCEL and WORKERS are accepted on the query port");
        }
    }
}

void ControlPlane::Impl::reject(RouterSocket& socket, const Envelope& envelope,
                                const std::string& task_id, const std::string& reason) {
    rejections.record(describe_sender(envelope.routing_id, envelope.body.front()), socket.address(),
                      reason);
    socket.send(envelope.routing_id, protocol::encode(protocol::Error{task_id, reason}));
}

void ControlPlane::Impl::accept_submission(int port, zmq::message_t& routing_id,
                                           protocol::Submit&& submit) {
    auto& socket = client_ports.submit_port(port);
    const auto id = TaskId::parse(submit.task_id);
    if (!id) {  // the codec accepts canonical ids only; never happens
        socket.send(routing_id,
                    protocol::encode(protocol::Refused{submit.task_id, "invalid task id"}));
        return;
    }
    // A resent submission (same task id) never runs twice: answer with the
    // task we already have.
    if (auto* entry = tasks.find(*id)) {
        acknowledge(port, routing_id, *id);
        if (submit.wants_result) {
            entry->second.reply_port = static_cast<std::int8_t>(port);
            entry->second.reply_routing_id = CompactBytes(routing_id.data(), routing_id.size());
        }
        return;
    }
    if (auto record = tasks.cache().get(*id)) {
        acknowledge(port, routing_id, *id);
        if (submit.wants_result) {
            client_ports.send_or_hold(socket, routing_id,
                                      protocol::encode(protocol::Result{std::move(*record)}));
        }
        return;
    }

    if (submit.payload.size() > settings.max_payload_bytes) {
        socket.send(routing_id,
                    protocol::encode(protocol::Refused{
                        submit.task_id, "payload of " + std::to_string(submit.payload.size()) +
                                            " bytes is larger than --max-payload-bytes (" +
                                            std::to_string(settings.max_payload_bytes) + ")"}));
        return;
    }
    if (local.is_full(tasks.queued_count() + tasks.scheduled_count(), settings.max_queued)) {
        // The reason starts with "busy": clients tell a full queue (retry
        // later) from other refusals by that word (docs/protocol.md).
        socket.send(routing_id,
                    protocol::encode(protocol::Refused{
                        submit.task_id, "busy: " + std::to_string(waiting_count()) +
                                            " tasks waiting (--max-queued " +
                                            std::to_string(settings.max_queued) + ")"}));
        return;
    }
    const auto now = Clock::now();
    Timestamp due{};
    if (submit.options.eta != Timestamp{}) {
        due = submit.options.eta;
    } else if (submit.options.countdown_ms > 0) {
        due = now + Milliseconds(submit.options.countdown_ms);
    }
    if (due > now + Milliseconds(protocol::kMaxDelayMs)) {
        socket.send(routing_id,
                    protocol::encode(protocol::Refused{
                        submit.task_id, "eta " + format_timestamp(due) +
                                            " is more than 30 days after the control plane's "
                                            "clock (" +
                                            format_timestamp(now) + ")"}));
        return;
    }

    ++tasks_accepted;
    // Known when this control plane's plugins or a subworker it knows
    // (active, or inactive and still listed) offer it; it may then wait for
    // a subworker that offers it to be live.
    const bool is_known_task =
        registry.find(submit.task_name) != nullptr || fleet.pool().is_offered(submit.task_name);
    if (!is_known_task) {
        // Ends at once; its name is not kept (task_names holds runnable ones).
        acknowledge(port, routing_id, *id);
        TaskRecord record;
        record.task_id = std::move(submit.task_id);
        record.task_name = std::move(submit.task_name);
        record.priority = static_cast<Priority>(port);
        record.submitted_at = now;
        TaskOutcome outcome;
        outcome.state = TaskState::failure;
        outcome.error = "unknown task '" + record.task_name + "'";
        tasks.finish_never_live(*id, std::move(record), std::move(outcome),
                                submit.wants_result ? port : -1, routing_id);
        return;
    }

    LiveTask task;
    task.task_name = tasks.intern_task_name(std::move(submit.task_name));
    task.priority = static_cast<Priority>(port);
    task.submitted_at = now;
    task.payload = HeldPayload(std::move(submit.payload));
    task.timeout_ms = submit.options.timeout_ms;
    task.max_retries = submit.options.max_retries;
    task.retry_backoff_ms = submit.options.retry_backoff_ms;
    if (submit.wants_result) {
        task.reply_port = static_cast<std::int8_t>(port);
        task.reply_routing_id = CompactBytes(routing_id.data(), routing_id.size());
    }
    tasks.submit(*id, std::move(task), due, now);
    // Acknowledged after this turn's dispatch (send_pending_acks), so that
    // the task's handler or subworker already runs while the ACK goes out.
    client_ports.defer_ack(port, routing_id, *id);
}

void ControlPlane::Impl::answer_query(zmq::message_t& routing_id, const protocol::Query& query) {
    if (auto* entry = tasks.find(query.task_id)) {
        TaskRecord record = describe_live_task(entry->first, entry->second);
        if (record.state == TaskState::running && !entry->second.is_on_subworker()) {
            local.describe_run(record);
        }
        client_ports.query_port().send(routing_id,
                                       protocol::encode(protocol::Record{std::move(record)}));
    } else if (auto record = tasks.cache().get(query.task_id)) {
        client_ports.query_port().send(routing_id,
                                       protocol::encode(protocol::Record{std::move(*record)}));
    } else {
        client_ports.query_port().send(routing_id,
                                       protocol::encode(protocol::NotFound{query.task_id}));
    }
}

void ControlPlane::Impl::answer_workers_query(zmq::message_t& routing_id) {
    client_ports.query_port().send(routing_id, protocol::encode(protocol::WorkersReply{to_json_text(
                                                   pool_status(), protocol::kMaxStatusBytes)}));
}

void ControlPlane::Impl::cancel_task(zmq::message_t& routing_id, const protocol::Cancel& cancel) {
    auto outcome = protocol::CancelOutcome::not_found;
    if (auto* entry = tasks.find(cancel.task_id)) {
        LiveTask& task = entry->second;
        if (tasks.cancel_waiting(*entry, kCancelledBeforeStart)) {
            outcome = protocol::CancelOutcome::cancelled;
        } else if (task.is_on_subworker()) {
            forward_cancel(entry->first, task);
            outcome = protocol::CancelOutcome::cancelling;
        } else {
            outcome = local.cancel(*entry);
        }
    } else if (tasks.cache().contains(cancel.task_id)) {
        outcome = protocol::CancelOutcome::finished;
    }
    client_ports.send_or_hold(client_ports.query_port(), routing_id,
                              protocol::encode(protocol::CancelReply{cancel.task_id, outcome}));
}

void ControlPlane::Impl::acknowledge(int port, zmq::message_t& routing_id, const TaskId& id) {
    // With a journal the task's records may not be written yet.
    if (journal) {
        client_ports.defer_ack(port, routing_id, id);
    } else {
        client_ports.submit_port(port).send(routing_id,
                                            protocol::encode(protocol::Ack{id.to_string()}));
    }
}

void ControlPlane::Impl::dispatch_queued_tasks() {
    // Strict priority: the head of the queue goes first or nothing does.
    // A task goes to the least-loaded subworker that can run it; it runs
    // here only when no live subworker can run it and this control plane
    // can (its own plugin, --concurrency above 0). One that nobody live
    // offers waits aside, without holding up the tasks behind it, until a
    // subworker that offers it registers. The handler threads are woken
    // once, when this turn's local tasks have all started.
    std::optional<ExecutionEngine::StartBatch> local_batch;
    tasks.dispatch([&](const TaskId& id, LiveTask& task) {
        if (fleet.pool().has_capable(*task.task_name)) {
            SubworkerEntry* target = fleet.pool().pick(*task.task_name);
            return target != nullptr && dispatch_to_subworker(*target, id, task)
                       ? Placement::started
                       : Placement::no_room;
        }
        if (!local.can_run(*task.task_name)) return Placement::no_worker;
        if (!local.make_room(task.priority)) return Placement::no_room;
        if (!local_batch) local_batch.emplace(local.engine());
        local.start(id, task);
        return Placement::started;
    });
}

void ControlPlane::Impl::task_ended(int reply_port, zmq::message_t& reply_routing_id,
                                    const TaskRecord& record, const SharedBytes& result) {
    // A task accepted this turn (cancelled at once, say) may still wait for
    // its ACK; no RESULT may overtake an ACK.
    if (reply_port >= 0) {
        client_ports.send_result(reply_port, reply_routing_id, record, result);
    } else if (!journal) {
        client_ports.send_pending_acks();
    }
}

void ControlPlane::Impl::cancel_queued_tasks(const std::string& reason) {
    // They have not started either.
    local.give_back_all();
    if (journal) {
        // Kept in the journal: the next start runs them.
        spdlog::info("journal {}: {} queued and {} scheduled task(s) kept for the next start",
                     journal->dir().string(), tasks.queued_count(), tasks.scheduled_count());
        return;
    }
    tasks.drain(reason);
}

ControlPlane::ControlPlane(const ControlPlaneSettings& settings, const TaskRegistry& registry)
    : impl_(std::make_unique<Impl>(settings, registry)) {
    impl_->open_journal();
    impl_->bind_ports();
    Impl* impl = impl_.get();
    impl_->local.start_engine(registry);
    impl_->role_thread.start(
        "control plane", [impl] { impl->run(); },
        [impl] {
            impl->has_abandoned_handlers =
                EngineDrain::abandon_if_running(impl->local.engine_handle());
        });
    spdlog::info(
        "control plane '{}' serving on {} (priority ports +0..3, queries +4, subworkers on port "
        "{}), "
        "{} handler thread(s), announcing on {}",
        settings.worker_id, settings.base_address, effective_subworker_port(settings),
        settings.engine.concurrency, settings.discovery_address);
}

ControlPlane::~ControlPlane() {
    request_stop();
    wait();
}

void ControlPlane::request_stop() { impl_->role_thread.request_stop(); }

void ControlPlane::wait() { impl_->role_thread.join(); }

bool ControlPlane::is_stopped() const { return impl_->role_thread.is_finished(); }

bool ControlPlane::has_abandoned_handlers() const { return impl_->has_abandoned_handlers; }

ControlPlaneStats ControlPlane::stats() const {
    return ControlPlaneStats{impl_->tasks_accepted, impl_->tasks.finished_count(),
                             impl_->rejections.count()};
}

}  // namespace fastqueue

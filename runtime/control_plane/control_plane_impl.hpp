// control_plane_impl.hpp -- the control plane's actor: its parts (the
// client ports, the task table, the local runner, the subworker fleet) and
// the actions that join them, shared by the files that implement them:
// control_plane.cpp (the loop, client submissions, queries, dispatch) and
// subworker_dispatch.cpp (registration, heartbeats, dispatch to subworkers,
// lost workers).
//
// Everything here belongs to the I/O thread, except the atomics, the
// local runner's mailbox and the stop doorbell.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <zmq.hpp>

#include "common/endpoint.hpp"
#include "common/mailbox.hpp"
#include "common/rejection_log.hpp"
#include "common/role_thread.hpp"
#include "common/task_id.hpp"
#include "common/wakeup.hpp"
#include "control_plane/client_ports.hpp"
#include "control_plane/control_plane.hpp"
#include "control_plane/live_task.hpp"
#include "control_plane/local_runner.hpp"
#include "control_plane/subworker_fleet.hpp"
#include "control_plane/task_journal.hpp"
#include "control_plane/task_table.hpp"
#include "discovery/discovery.hpp"
#include "execution/execution_engine.hpp"
#include "execution/priority_queue.hpp"
#include "plugins/task_registry.hpp"
#include "protocol/codec.hpp"
#include "results/result_cache.hpp"
#include "transport/router_socket.hpp"
#include "transport/zap_handler.hpp"

namespace fastqueue {

using SteadyClock = std::chrono::steady_clock;

struct ControlPlane::Impl : TaskTableOutbox {
    Impl(const ControlPlaneSettings& settings_in, const TaskRegistry& registry_in);

    const ControlPlaneSettings settings;
    const TaskRegistry& registry;

    zmq::context_t context{1};
    // With --curve-secret-key: who may connect (started before any port is
    // bound, stopped after every port is closed).
    std::unique_ptr<ZapHandler> zap;
    ClientPorts client_ports;  // the priority ports and the query port
    RouterSocket management_port;
    std::unique_ptr<DiscoveryAnnouncer> announcer;

    std::atomic<bool> has_abandoned_handlers{false};

    // Queued, scheduled and running tasks, and the records of finished ones.
    TaskTable tasks{settings, *this};
    // With --journal-dir: where every change of a task's state is written
    // before it is answered (open_journal()).
    std::unique_ptr<TaskJournal> journal;
    // The loop retries records it could not write, at most this often.
    static constexpr std::chrono::milliseconds kJournalRetryInterval{100};
    bool is_journal_failing = false;
    SteadyClock::time_point journal_failure_logged{};
    // Compaction waits for a turn with nothing left to write.
    bool is_compaction_due = false;
    // With a journal, tasks dispatched to subworkers this turn, sent only
    // once the turn's records (their `started` among them) are written: a
    // task never runs unless its start is on disk, so a restart counts
    // every run in its attempts.
    struct HeldDispatch {
        TaskId id;
        std::string worker_id;
        int priority;
        std::vector<zmq::message_t> frames;
    };
    std::vector<HeldDispatch> held_dispatches;
    // The tasks this control plane runs itself.
    LocalRunner local{settings, tasks};

    // The subworkers, the links to them and their poll items.
    SubworkerFleet fleet{context, settings.max_payload_bytes};

    std::atomic<std::uint64_t> tasks_accepted{0};
    RejectionLog rejections;  // messages_rejected in stats() and WORKERS_REPLY

    // Last member: destroyed (stopped and joined) before anything the loop uses.
    RoleThread role_thread;

    // With settings.journal_dir: opens the journal and recovers the tasks it
    // holds (before bind_ports(): nothing is served before they are back).
    void open_journal();
    void bind_ports();
    void run();
    // The turn's one write of the journal (before its dispatches go out):
    // refuses the submissions it could not write; true when all is written.
    bool write_journal();
    // Then its sync (--journal-fsync always; before its answers go out):
    // false, logged, when it failed (the next turn tries again).
    bool sync_journal();
    // Both, at the end.
    bool commit_journal();

    // Clients (control_plane.cpp).
    void receive_submissions(int port);
    void receive_queries();
    void accept_submission(int port, zmq::message_t& routing_id, protocol::Submit&& submit);
    void answer_query(zmq::message_t& routing_id, const protocol::Query& query);
    void answer_workers_query(zmq::message_t& routing_id);
    void cancel_task(zmq::message_t& routing_id, const protocol::Cancel& cancel);
    // ACKs a submission: now, or with a journal after the turn's commit.
    void acknowledge(int port, zmq::message_t& routing_id, const TaskId& id);
    void dispatch_queued_tasks();
    // TaskTableOutbox: this turn's ACKs first (no RESULT may overtake an
    // ACK), then the RESULT to the client waiting at reply_port, if any.
    void task_ended(int reply_port, zmq::message_t& reply_routing_id, const TaskRecord& record,
                    const SharedBytes& result) override;
    // Tasks accepted and not started: queued, scheduled, or waiting in the
    // engine for a handler thread (for --max-queued).
    std::size_t waiting_count() const {
        return tasks.queued_count() + tasks.scheduled_count() + local.waiting();
    }
    void cancel_queued_tasks(const std::string& reason);
    // Counts and logs a message that cannot be used and answers it ERROR.
    void reject(RouterSocket& socket, const Envelope& envelope, const std::string& task_id,
                const std::string& reason);

    // Subworkers (subworker_dispatch.cpp).
    void receive_management();
    void register_subworker(const Envelope& envelope, protocol::Register&& registration);
    // Counts and logs a REGISTER this control plane will not act on and
    // answers it REGISTER_REFUSED with the reason.
    void refuse_registration(const Envelope& envelope, const protocol::Register& registration,
                             const std::string& reason);
    void note_heartbeat(zmq::message_t& routing_id, const protocol::Heartbeat& heartbeat);
    // Sends again, or takes as lost, the tasks a heartbeat's load says the
    // subworker no longer holds (result_reconciliation.hpp).
    void reconcile_subworker_load(SubworkerEntry& subworker, std::uint32_t reported_load);
    void deregister_subworker(const protocol::Deregister& deregister);
    // Answers REGISTER_REFUSED, counted and logged, and returns true when
    // the subworker takes smaller payloads than this control plane sends.
    bool refuse_smaller_payload_limit(const Envelope& envelope,
                                      const protocol::Register& registration);
    // The SUBMIT that sends the task to a subworker (it shares the payload).
    protocol::Frames submit_frames(std::string task_id, const LiveTask& task) const;
    // Sends the task to the subworker; false (and nothing changed) when the
    // message could not be queued. With a journal the task is entered as
    // started and the message held (held_dispatches) for send_held_dispatches().
    bool dispatch_to_subworker(SubworkerEntry& subworker, const TaskId& id, LiveTask& task);
    // After the turn's commit: sends the held dispatches of tasks still
    // running there; one that cannot be sent goes back to its queue.
    void send_held_dispatches();
    void receive_subworker_replies(const std::string& worker_id, int priority);
    void handle_subworker_reply(SubworkerEntry& subworker, protocol::Message&& message);
    // Counts and logs a reply a subworker had no business sending.
    void reject_subworker_reply(const SubworkerEntry& subworker, const std::string& reason);
    void forward_cancel(const TaskId& id, const LiveTask& task);
    void send_heartbeats();
    // Declares silent subworkers inactive, and forgets inactive ones silent
    // past settings.inactive_subworker_ttl_seconds.
    void expire_silent_subworkers();
    // Removes the subworker from the pool and closes its links; a later
    // HEARTBEAT from it is answered REREGISTER. It must hold no task.
    void forget_subworker(const std::string& worker_id, const std::string& why);
    void lose_subworker(SubworkerEntry& subworker, const std::string& why);
    // The pool's status with this control plane's rejection count.
    SubworkerPoolStatus pool_status() const;
};

}  // namespace fastqueue

// subworker_dispatch.cpp -- the control plane's side of subworkers:
// registration and heartbeats on the management port, sending tasks to the
// least-loaded subworker over a DEALER per priority port, taking their
// results back, and dispatching again the tasks of a subworker that is lost.
//
// Delivery: a task whose subworker is lost (silent past the liveness window,
// or re-registered after a restart) runs again elsewhere (or waits for a
// worker that offers it), so a task may run more than once; after
// settings.max_worker_losses losses it ends as failure "worker lost".
// Closing a lost subworker's links discards anything it still sends, so a
// late result can never overwrite the record of the task's next run.
//
// The table of subworkers is bounded: at most settings.max_subworkers
// entries, active and inactive. Inactive ones are forgotten once silent for
// settings.inactive_subworker_ttl_seconds, or sooner, longest silent first,
// to make room for a new one; when every entry is active, a new one is
// refused.
#include <spdlog/spdlog.h>

#include "common/receive_batch.hpp"
#include "config/control_plane_options.hpp"
#include "control_plane/control_plane_impl.hpp"
#include "control_plane/own_ports.hpp"
#include "control_plane/result_reconciliation.hpp"
#include "execution/unstarted_tasks.hpp"
#include "protocol/text.hpp"
#include "transport/frame_limits.hpp"
#include "transport/zap_handler.hpp"

namespace fastqueue {
void ControlPlane::Impl::receive_management() {
    for (int i = 0; i < kReceiveBatch; ++i) {
        auto envelope = management_port.receive();
        if (!envelope) break;
        auto decoded = protocol::decode(envelope->body);
        if (!decoded.message) {
            reject(management_port, *envelope, decoded.task_id, decoded.error);
            continue;
        }
        if (auto* registration = std::get_if<protocol::Register>(&*decoded.message)) {
            if (refuse_smaller_payload_limit(*envelope, *registration)) continue;
            register_subworker(*envelope, std::move(*registration));
        } else if (const auto* heartbeat = std::get_if<protocol::Heartbeat>(&*decoded.message)) {
            note_heartbeat(envelope->routing_id, *heartbeat);
        } else if (const auto* deregister = std::get_if<protocol::Deregister>(&*decoded.message)) {
            deregister_subworker(*deregister);
        } else {
            reject(management_port, *envelope, decoded.task_id,
                   "only REGISTER, HEARTBEAT and DEREGISTER are accepted on the subworker port");
        }
    }
}

void ControlPlane::Impl::register_subworker(const Envelope& envelope,
                                            protocol::Register&& registration) {
    const zmq::message_t& routing_id = envelope.routing_id;
    const std::string worker_id = registration.worker_id;
    // The codec checked the address's grammar; whether it is this control
    // plane's own port only this control plane knows.
    if (auto base = parse_endpoint(registration.address)) {
        if (std::string overlap = own_port_overlap(settings, *base); !overlap.empty()) {
            refuse_registration(envelope, registration,
                                "address " + registration.address + ": " + overlap);
            return;
        }
    }
    if (SubworkerEntry* existing = fleet.pool().find(worker_id)) {
        // A live subworker keeps its id. The same id at the same address is
        // that subworker again (restarted: the old process no longer holds
        // the port, or rejoining after it lost us); anything else is refused.
        if (existing->is_active && existing->address != registration.address) {
            refuse_registration(envelope, registration,
                                "worker id '" + worker_id +
                                    "' is already registered by a live subworker at " +
                                    existing->address);
            return;
        }
        if (!existing->assigned_tasks.empty()) {
            lose_subworker(*existing, "re-registered while it held tasks");
        }
        fleet.close_links(worker_id);
    }
    // Room in the table and in the task-list budget: inactive entries are
    // forgotten, longest silent first, to make it; active ones never are.
    const std::size_t added_bytes = task_list_charge(registration.task_names);
    while (true) {
        const SubworkerEntry* existing = fleet.pool().find(worker_id);
        const bool is_table_full =
            existing == nullptr && fleet.pool().size() >= settings.max_subworkers;
        const std::size_t kept_bytes =
            fleet.pool().task_list_bytes() - (existing != nullptr ? existing->task_list_bytes : 0);
        const bool is_over_budget = kept_bytes + added_bytes > kMaxTaskListBytesHeld;
        if (!is_table_full && !is_over_budget) break;
        SubworkerEntry* oldest = fleet.pool().longest_silent_inactive();
        if (oldest == nullptr) {
            refuse_registration(envelope, registration,
                                is_table_full
                                    ? "the control plane keeps at most --max-subworkers " +
                                          std::to_string(settings.max_subworkers) +
                                          " subworkers and all of them are active"
                                    : "the task lists of the active subworkers and this one would "
                                      "take more than the " +
                                          std::to_string(kMaxTaskListBytesHeld >> 20) +
                                          " MiB the control plane holds for them");
            return;
        }
        const std::string oldest_id = oldest->worker_id;  // outlives the entry
        forget_subworker(oldest_id, "to make room for '" + worker_id + "'");
    }
    const std::string address = registration.address;
    SubworkerEntry& entry = fleet.pool().upsert(
        std::move(registration), zmq::message_t(routing_id.data(), routing_id.size()),
        SteadyClock::now());
    // The key the handshake proved, never one the message names: the links
    // to its task ports are CURVE clients of it (plaintext without one).
    entry.curve_key = subworker_key_of(envelope.body.front());
    spdlog::info("subworker '{}' registered at {} (capacity {}, prefetch {}, {} task(s))",
                 worker_id, address, entry.capacity, entry.prefetch, entry.task_names.size());
    // Tasks waiting for one of this control plane's own handler threads
    // were put there because no subworker could run them; now one may.
    local.give_back_all();
    // Tasks that waited for a subworker offering them go back to the queue.
    for (const std::string& task_name : entry.task_names) tasks.offer(task_name);
    management_port.send(
        routing_id, protocol::encode(protocol::Registered{worker_id, settings.heartbeat_interval_ms,
                                                          settings.heartbeat_liveness}));
}

void ControlPlane::Impl::refuse_registration(const Envelope& envelope,
                                             const protocol::Register& registration,
                                             const std::string& reason) {
    // A message this control plane will not act on: counted and logged like
    // any other rejection, answered REGISTER_REFUSED.
    rejections.record(describe_sender(envelope.routing_id, envelope.body.front()),
                      management_port.address(),
                      "REGISTER from " + registration.address + " refused: " + reason);
    management_port.send(envelope.routing_id, protocol::encode(protocol::RegisterRefused{
                                                  registration.worker_id, reason}));
}

void ControlPlane::Impl::note_heartbeat(zmq::message_t& routing_id,
                                        const protocol::Heartbeat& heartbeat) {
    SubworkerEntry* entry = fleet.pool().find(heartbeat.worker_id);
    if (entry == nullptr || !entry->is_active) {
        // Unknown (this control plane restarted) or declared inactive: its
        // tasks were dispatched again; it must register anew.
        management_port.send(routing_id,
                             protocol::encode(protocol::Reregister{heartbeat.worker_id}));
        return;
    }
    const std::uint64_t new_restarts =
        fleet.pool().note_heartbeat(*entry, heartbeat, SteadyClock::now());
    if (new_restarts > 0) {
        // The subworker's own log names the task that took each executor
        // down; this line tells the operator where to look.
        spdlog::warn(
            "subworker '{}' restarted {} task process(es) since its last heartbeat "
            "({} in all; its log names the tasks)",
            heartbeat.worker_id, new_restarts, entry->task_process_restarts);
    }
    reconcile_subworker_load(*entry, heartbeat.load);
}

void ControlPlane::Impl::reconcile_subworker_load(SubworkerEntry& subworker,
                                                  std::uint32_t reported_load) {
    auto actions = reconcile_load(subworker, reported_load);
    if (actions.resend.empty() && actions.lost.empty()) return;
    spdlog::warn(
        "subworker '{}' reports {} task(s) held, and {} task(s) sent to it are not accounted "
        "for (a SUBMIT, ACK or RESULT lost on a reset link?): sending {} again, {} taken as lost",
        subworker.worker_id, reported_load, actions.resend.size() + actions.lost.size(),
        actions.resend.size(), actions.lost.size());
    for (const std::string& task_id : actions.resend) {
        auto* entry = tasks.find(task_id);
        if (entry == nullptr) continue;  // never: a task in flight is live
        auto frames = submit_frames(task_id, entry->second);
        if (fleet.send(subworker, static_cast<int>(entry->second.priority), frames)) {
            note_resent(subworker, task_id);
        }
    }
    for (const std::string& task_id : actions.lost) {
        if (fleet.pool().unassign(subworker, task_id)) tasks.requeue_lost(task_id);
    }
    if (subworker.is_leaving && subworker.in_flight == 0) fleet.pool().mark_inactive(subworker);
}

void ControlPlane::Impl::deregister_subworker(const protocol::Deregister& deregister) {
    SubworkerEntry* entry = fleet.pool().find(deregister.worker_id);
    if (entry == nullptr || !entry->is_active) return;
    fleet.pool().mark_leaving(*entry);
    fleet.pool().mark_heard(*entry, SteadyClock::now());
    if (entry->in_flight == 0) fleet.pool().mark_inactive(*entry);
    spdlog::info("subworker '{}' deregistered; {} task(s) still running there",
                 deregister.worker_id, entry->in_flight);
}

bool ControlPlane::Impl::refuse_smaller_payload_limit(const Envelope& envelope,
                                                      const protocol::Register& registration) {
    // A subworker without the frame predates it: it is taken to accept ours.
    if (!registration.max_payload_bytes ||
        *registration.max_payload_bytes >= settings.max_payload_bytes) {
        return false;
    }
    // Its transport would cut off the larger tasks this control plane sends
    // it, and they would never end.
    const std::string limit = std::to_string(settings.max_payload_bytes);
    const std::string reason =
        "max_payload_bytes " + std::to_string(*registration.max_payload_bytes) +
        " is smaller than the control plane's --max-payload-bytes (" + limit +
        "): start the subworker with --max-payload-bytes " + limit + " or more";
    rejections.record(describe_sender(envelope.routing_id, envelope.body.front()),
                      management_port.address(),
                      "REGISTER from " + registration.address + " refused: " + reason);
    management_port.send(envelope.routing_id, protocol::encode(protocol::RegisterRefused{
                                                  registration.worker_id, reason}));
    return true;
}

protocol::Frames ControlPlane::Impl::submit_frames(std::string task_id,
                                                   const LiveTask& task) const {
    // The task keeps its payload for a re-dispatch if the subworker is lost.
    zmq::message_t payload = task.payload.share();
    // The subworker enforces the run-time limit; retries and start times
    // stay here.
    protocol::SubmitOptions options;
    options.timeout_ms = task.timeout_ms;
    options.default_timeout_ms = settings.default_task_timeout_ms;
    return protocol::encode(
        protocol::Submit{std::move(task_id), *task.task_name, true, std::move(payload), options});
}

bool ControlPlane::Impl::dispatch_to_subworker(SubworkerEntry& subworker, const TaskId& id,
                                               LiveTask& task) {
    std::string task_id = id.to_string();
    auto frames = submit_frames(task_id, task);
    const int priority = static_cast<int>(task.priority);
    if (journal) {
        held_dispatches.push_back(
            HeldDispatch{id, subworker.worker_id, priority, std::move(frames)});
    } else if (!fleet.send(subworker, priority, frames)) {
        return false;
    }
    tasks.start(id, task, subworker.worker_id, true);
    fleet.pool().assign(subworker, task_id, task.payload.size());
    return true;
}

void ControlPlane::Impl::send_held_dispatches() {
    for (HeldDispatch& held : held_dispatches) {
        const std::string task_id = held.id.to_string();
        SubworkerEntry* subworker = fleet.pool().find(held.worker_id);
        auto* entry = tasks.find(held.id);
        // Withdrawn since (its acceptance could not be written), or its
        // subworker is gone: nothing to send.
        const bool is_still_there = entry != nullptr && entry->second.state == TaskState::running &&
                                    entry->second.history->worker_id == held.worker_id;
        if (!is_still_there) {
            if (subworker != nullptr) fleet.pool().unassign(*subworker, task_id);
            continue;
        }
        if (subworker == nullptr) {
            tasks.give_back_refused(task_id);
        } else if (!fleet.send(*subworker, held.priority, held.frames)) {
            fleet.pool().unassign(*subworker, task_id);
            tasks.give_back_refused(task_id);
        }
    }
    held_dispatches.clear();
}

void ControlPlane::Impl::receive_subworker_replies(const std::string& worker_id, int priority) {
    for (int i = 0; i < kReceiveBatch; ++i) {
        auto frames = fleet.receive(worker_id, priority);
        if (!frames) break;
        SubworkerEntry* subworker = fleet.pool().find(worker_id);
        if (subworker == nullptr) return;
        // A RESULT's bytes stay in their frame: cached and relayed as they are.
        auto decoded = protocol::decode(*frames, protocol::ResultBytes::in_frame);
        if (!decoded.message) {
            reject_subworker_reply(*subworker, decoded.error);
            // A bad answer about a task it holds ends that dispatch: the task
            // runs again (elsewhere when it can), or fails after
            // max_worker_losses, and is never left waiting for a RESULT
            // that will not come.
            if (!decoded.task_id.empty() && fleet.pool().unassign(*subworker, decoded.task_id)) {
                tasks.requeue_lost(decoded.task_id);
            }
            continue;
        }
        fleet.pool().mark_heard(*subworker, SteadyClock::now());
        handle_subworker_reply(*subworker, std::move(*decoded.message));
    }
}

void ControlPlane::Impl::handle_subworker_reply(SubworkerEntry& subworker,
                                                protocol::Message&& message) {
    if (const auto* ack = std::get_if<protocol::Ack>(&message)) {
        note_acknowledged(subworker, ack->task_id);
        return;
    }
    if (std::holds_alternative<protocol::CancelReply>(message)) return;
    if (auto* result = std::get_if<protocol::Result>(&message)) {
        TaskRecord& record = result->record;
        if (!fleet.pool().unassign(subworker, record.task_id)) {
            // Never for a task that runs elsewhere or has ended: a lost
            // subworker's links are closed, so only a subworker that
            // forges results gets here.
            reject_subworker_reply(
                subworker, "RESULT for task " + record.task_id + ", which is not running there");
            return;
        }
        subworker.tasks_completed += 1;
        fleet.pool().record_run_time(subworker, record.started_at, record.finished_at);
        if (subworker.is_leaving && subworker.in_flight == 0) fleet.pool().mark_inactive(subworker);
        TaskOutcome outcome;
        outcome.task_id = record.task_id;
        outcome.state = record.state;
        outcome.shared_result = SharedBytes::from_frame(std::move(result->result_frame));
        outcome.error = std::move(record.error);
        outcome.retryable = record.retryable;
        outcome.started_at = record.started_at;
        outcome.finished_at = record.finished_at;
        if (!fastqueue::is_finished(outcome.state)) {
            outcome.state = TaskState::failure;
            outcome.error = "subworker '" + subworker.worker_id + "' answered with state " +
                            std::string(to_string(record.state));
        }
        // A subworker may take larger results than this control plane sends on.
        fail_oversized_result(outcome, settings.max_payload_bytes);
        tasks.finish(std::move(outcome));
        return;
    }
    if (auto* refused = std::get_if<protocol::Refused>(&message)) {
        // Not taken (the subworker is stopping): back to the head of its
        // queue, not counted as an attempt or a loss.
        if (!fleet.pool().unassign(subworker, refused->task_id)) {
            reject_subworker_reply(
                subworker, "REFUSED for task " + refused->task_id + ", which is not running there");
            return;
        }
        tasks.give_back_refused(refused->task_id);
        return;
    }
    if (auto* error = std::get_if<protocol::Error>(&message)) {
        // The message is the subworker's text: printable characters only,
        // so that it cannot break the log into lines of its own making.
        spdlog::warn("subworker '{}' answered ERROR for task '{}': {}", subworker.worker_id,
                     error->task_id,
                     protocol::printable_excerpt(error->message, protocol::kMaxTextBytes));
        if (!error->task_id.empty() && fleet.pool().unassign(subworker, error->task_id)) {
            tasks.requeue_lost(error->task_id);
        }
        return;
    }
    reject_subworker_reply(
        subworker,
        "unexpected " + std::string(protocol::message_type_name(message)) + " from a subworker");
}

void ControlPlane::Impl::reject_subworker_reply(const SubworkerEntry& subworker,
                                                const std::string& reason) {
    rejections.record("subworker '" + subworker.worker_id + "'", "the link to " + subworker.address,
                      reason);
}

void ControlPlane::Impl::forward_cancel(const TaskId& id, const LiveTask& task) {
    if (!task.is_on_subworker()) return;
    auto frames = protocol::encode(protocol::Cancel{id.to_string()});
    fleet.send_if_open(task.history->worker_id, static_cast<int>(task.priority), frames);
}

void ControlPlane::Impl::send_heartbeats() {
    for (SubworkerEntry* entry : fleet.pool().entries()) {
        if (!entry->is_active) continue;
        management_port.send(entry->management_routing_id, protocol::encode(protocol::Heartbeat{
                                                               entry->worker_id, 0, std::nullopt}));
    }
}

void ControlPlane::Impl::expire_silent_subworkers() {
    const auto silence = std::chrono::milliseconds(std::uint64_t{settings.heartbeat_interval_ms} *
                                                   settings.heartbeat_liveness);
    const auto now = SteadyClock::now();
    for (SubworkerEntry* entry : fleet.pool().silent_since(now, silence)) {
        lose_subworker(*entry, "silent for " + std::to_string(silence.count()) + " ms");
        fleet.pool().mark_inactive(*entry);
        fleet.close_links(entry->worker_id);
    }
    const auto ttl = std::chrono::seconds(settings.inactive_subworker_ttl_seconds);
    for (const std::string& worker_id : fleet.pool().inactive_silent_since(now, ttl)) {
        forget_subworker(worker_id,
                         "inactive and silent for more than " + std::to_string(ttl.count()) + " s");
    }
}

void ControlPlane::Impl::forget_subworker(const std::string& worker_id, const std::string& why) {
    spdlog::info("subworker '{}' forgotten ({})", worker_id, why);
    fleet.close_links(worker_id);
    fleet.pool().remove(worker_id);
}

void ControlPlane::Impl::lose_subworker(SubworkerEntry& subworker, const std::string& why) {
    auto task_ids = fleet.pool().take_in_flight(subworker);
    spdlog::warn("subworker '{}' lost ({}); dispatching its {} task(s) again", subworker.worker_id,
                 why, task_ids.size());
    for (const auto& task_id : task_ids) tasks.requeue_lost(task_id);
}

SubworkerPoolStatus ControlPlane::Impl::pool_status() const {
    SubworkerPoolStatus status = fleet.pool().status();
    status.messages_rejected = rejections.count();
    status.control_plane =
        ControlPlaneInfo{settings.worker_id, local.concurrency(), local.task_process_restarts(),
                         static_cast<std::uint32_t>(effective_subworker_port(settings))};
    return status;
}

}  // namespace fastqueue

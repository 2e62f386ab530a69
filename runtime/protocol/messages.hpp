// messages.hpp -- the client-facing messages of FastQueue protocol 1, as
// values. docs/protocol.md is the normative description, frame by frame;
// codec.hpp turns these values into ZeroMQ frames and back.
//
// Payload and result bytes travel as zmq::message_t so that they are moved
// from socket to handler and back, never copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include <zmq.hpp>

#include "fastqueue/task.hpp"

namespace fastqueue::protocol {

// Frame 0 of every message: protocol name and version.
inline constexpr std::string_view kProtocolId = "FQ/1";

// Largest task name, in bytes.
inline constexpr std::size_t kMaxTaskNameBytes = 128;

// True when name is 1..kMaxTaskNameBytes bytes of [A-Za-z0-9_.:-], the only
// task names the protocol carries.
bool is_valid_task_name(std::string_view name);

// How a task's life is bounded, beyond "run it once, now". Travels in the
// optional SUBMIT options frame (protocol/submit_options.hpp has the limits
// and the JSON form); a default-constructed value is "no options" and sends
// no frame. Zero always means "not set".
struct SubmitOptions {
    // Run-time limit of one attempt, counted from its start.
    std::uint32_t timeout_ms = 0;
    // The limit when neither timeout_ms nor the task's plugin sets one. The
    // control plane fills it with its --default-task-timeout when it sends a
    // task to a subworker.
    std::uint32_t default_timeout_ms = 0;
    // Attempts after the first, for failures the handler marks retryable.
    std::uint32_t max_retries = 0;
    // Base of the exponential backoff between attempts; 0: the default.
    std::uint32_t retry_backoff_ms = 0;
    // Hold the task until this time (absolute) ...
    Timestamp eta{};
    // ... or until this long after the control plane accepted it. At most
    // one of eta and countdown_ms is set.
    std::uint32_t countdown_ms = 0;

    bool operator==(const SubmitOptions&) const = default;
};

// Client -> control plane, on a priority port (base+0..3). The port decides
// the priority.
struct Submit {
    std::string task_id;        // client-chosen canonical UUID
    std::string task_name;      // 1..128 chars
    bool wants_result = false;  // push a Result to this client when the task ends
    zmq::message_t payload;     // opaque bytes (JSON {"args":[...],"kwargs":{...}} by convention)
    SubmitOptions options;      // sent only when not all defaults
};

// Control plane -> client: the task was accepted (or was already known).
struct Ack {
    std::string task_id;
};

// Control plane -> client: the submission was refused and nothing was queued.
struct Refused {
    std::string task_id;  // as sent (may be empty when it could not be read)
    std::string reason;   // one line, for humans
};

// Client -> control plane, on the query port (base+4).
struct Query {
    std::string task_id;
};
struct Cancel {
    std::string task_id;
};

// Control plane -> client. Result: pushed when a task the client waits for
// ends. Record: the answer to a Query. Same frames, different type.
struct Result {
    TaskRecord record;
    // Set only by decode(frames, ResultBytes::in_frame): the result bytes,
    // moved out of the received message, while record.result stays empty.
    // encode() sends record.result and ignores it.
    zmq::message_t result_frame{};
};
struct Record {
    TaskRecord record;
};

// Control plane -> client: no record for this id (unknown, expired or evicted).
struct NotFound {
    std::string task_id;
};

enum class CancelOutcome : std::uint8_t {
    cancelled,   // was queued; removed and recorded as cancelled
    cancelling,  // is running; its cancellation flag is raised
    finished,    // already ended; nothing changed
    not_found,   // no such task
};
// "cancelled", "cancelling", "finished", "not_found".
std::string_view to_string(CancelOutcome outcome);
// Parses the names above; std::nullopt for anything else.
std::optional<CancelOutcome> parse_cancel_outcome(std::string_view text);

struct CancelReply {
    std::string task_id;
    CancelOutcome outcome = CancelOutcome::not_found;
};

// Any request that could not be decoded is answered with Error when the peer
// can be answered at all (it is also logged and counted).
struct Error {
    std::string task_id;  // may be empty
    std::string message;
};

// ---- Subworker management, on the control plane's subworker port (base+5).
// A subworker connects a DEALER; the control plane's ROUTER answers.
// Worker ids follow the task-name rule: 1..128 bytes of [A-Za-z0-9_.:-].

// Subworker -> control plane: join (or rejoin) the pool.
//   [FQ/1, REGISTER, worker_id, address, capacity, prefetch, tasks
//    (, max_payload_bytes)]
// address: the subworker's base address (tcp://HOST:PORT; it serves SUBMIT
// on base+0..3); capacity and prefetch: decimal ASCII (capacity 1..1024,
// prefetch 0..1024); tasks: a JSON array of the task names it can run;
// max_payload_bytes (optional, decimal ASCII 1..kLargestMaxPayloadBytes):
// the largest payload its task ports take and the largest result it sends.
struct Register {
    std::string worker_id;
    std::string address;
    std::uint32_t capacity = 1;
    std::uint32_t prefetch = 0;
    std::vector<std::string> task_names;
    // Unset: a subworker that predates the frame, taken to accept the
    // control plane's own limit.
    std::optional<std::uint32_t> max_payload_bytes;
};

// Control plane -> subworker: accepted; heartbeat at this interval, and
// count the control plane lost after `heartbeat_liveness` silent intervals.
//   [FQ/1, REGISTERED, worker_id, heartbeat_interval_ms, heartbeat_liveness]
struct Registered {
    std::string worker_id;
    std::uint32_t heartbeat_interval_ms = 1000;
    std::uint32_t heartbeat_liveness = 3;
};

// Control plane -> subworker: registration refused (e.g. the id belongs to a
// live subworker). The subworker reports the reason and exits non-zero.
//   [FQ/1, REGISTER_REFUSED, worker_id, reason]
struct RegisterRefused {
    std::string worker_id;
    std::string reason;
};

// Both directions, every heartbeat interval. load: tasks the subworker holds
// (running plus prefetched), decimal ASCII; the control plane sends 0.
// task_process_restarts (optional, decimal ASCII 0..kMaxTaskProcessRestarts):
// the subworker's executor processes started again after one died or was
// killed (ExecutionEngine::task_process_restarts()); the control plane sends
// none.
//   [FQ/1, HEARTBEAT, worker_id, load, task_process_restarts?]
struct Heartbeat {
    std::string worker_id;
    std::uint32_t load = 0;
    // Unset: not sent (the control plane, or a subworker that predates the
    // frame, whose count is taken as 0).
    std::optional<std::uint32_t> task_process_restarts;
};

// Subworker -> control plane: leaving; send no more tasks.
//   [FQ/1, DEREGISTER, worker_id]
struct Deregister {
    std::string worker_id;
};

// Control plane -> subworker: "I do not know you" (the control plane
// restarted, or declared the subworker inactive); register again.
//   [FQ/1, REREGISTER, worker_id]
struct Reregister {
    std::string worker_id;
};

// ---- Monitoring, on the query port (base+4).
//   [FQ/1, WORKERS]  ->  [FQ/1, WORKERS_REPLY, status]
// status: the JSON object of fastqueue/subworker_status.hpp (total_subworkers,
// active_subworkers, control_plane{worker_id, concurrency,
// task_process_restarts}, subworkers{id: {address, status, load, capacity,
// tasks_completed, task_process_restarts, last_seen}}).
struct WorkersQuery {};
struct WorkersReply {
    std::string status_json;
};

// ---- Discovery: published by the control plane on its discovery address
// (a PUB socket) every announce interval.
//   [FQ/1, ANNOUNCE, worker_id, base_address, subworker_port]
struct Announce {
    std::string worker_id;
    std::string base_address;
    std::uint32_t subworker_port = 0;
};

using Message = std::variant<Submit, Ack, Refused, Query, Cancel, Result, Record, NotFound,
                             CancelReply, Error, Register, Registered, RegisterRefused, Heartbeat,
                             Deregister, Reregister, WorkersQuery, WorkersReply, Announce>;

}  // namespace fastqueue::protocol

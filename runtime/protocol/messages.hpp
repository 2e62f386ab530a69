// messages.hpp -- the client-facing messages of FastQueue protocol 1, as
// values. docs/protocol.md is the normative description, frame by frame;
// codec.hpp turns these values into ZeroMQ frames and back.
//
// Payload and result bytes travel as zmq::message_t so that they are moved
// from socket to handler and back, never copied.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
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

// Client -> control plane, on a priority port (base+0..3). The port decides
// the priority.
struct Submit {
    std::string task_id;        // client-chosen canonical UUID
    std::string task_name;      // 1..128 chars
    bool wants_result = false;  // push a Result to this client when the task ends
    zmq::message_t payload;     // opaque bytes (JSON {"args":[...],"kwargs":{...}} by convention)
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

using Message =
    std::variant<Submit, Ack, Refused, Query, Cancel, Result, Record, NotFound, CancelReply, Error>;

}  // namespace fastqueue::protocol

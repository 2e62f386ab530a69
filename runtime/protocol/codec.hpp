// codec.hpp -- encodes protocol messages into ZeroMQ frames and decodes and
// validates frames received from the network. This is the only place that
// knows the frame layout; docs/protocol.md describes the same layout.
//
// decode() never trusts its input: it checks the protocol id and version
// before reading anything else, then the frame count, each frame's size and
// content, and returns a reason instead of a message when anything is off. It
// never throws on network input and never asserts.
//
// Frames here are the message body: a ROUTER socket's routing-id frame is
// stripped before decode() and prepended after encode() by the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/shared_bytes.hpp"
#include "protocol/messages.hpp"

namespace fastqueue::protocol {

using Frames = std::vector<zmq::message_t>;

// Size limits of the frames decode() accepts (kMaxTaskNameBytes is in
// messages.hpp). Payload and result frames have no limit here: a socket's
// ZMQ_MAXMSGSIZE bounds them.
inline constexpr std::size_t kTaskIdBytes = 36;
// REFUSED reason and ERROR message. encode() cuts longer text to fit.
inline constexpr std::size_t kMaxTextBytes = 4096;
// The metadata frame of RESULT and RECORD.
inline constexpr std::size_t kMaxMetadataBytes = 1024 * 1024;
// A record's error message inside the metadata. encode() cuts longer errors
// to fit, so that any record encodes within kMaxMetadataBytes.
inline constexpr std::size_t kMaxErrorBytes = 64 * 1024;
// A record's worker id and task name inside the metadata.
inline constexpr std::size_t kMaxWorkerIdBytes = 256;

// Subworker management (REGISTER .. ANNOUNCE). Worker ids follow the task
// name rule (is_valid_task_name). Numbers travel as decimal ASCII: digits
// only, no sign, no leading zero, within these ranges.
inline constexpr std::uint32_t kMinCapacity = 1;
inline constexpr std::uint32_t kMaxCapacity = 1024;
inline constexpr std::uint32_t kMinPrefetch = 0;
inline constexpr std::uint32_t kMaxPrefetch = 1024;
inline constexpr std::uint32_t kMinHeartbeatIntervalMs = 1;
inline constexpr std::uint32_t kMaxHeartbeatIntervalMs = 3600000;
inline constexpr std::uint32_t kMinHeartbeatLiveness = 1;
inline constexpr std::uint32_t kMaxHeartbeatLiveness = 1000;
inline constexpr std::uint32_t kMaxLoad = 1000000;
// HEARTBEAT task_process_restarts frame: the largest count that travels (10
// digits at most); a sender with more sends this.
inline constexpr std::uint32_t kMaxTaskProcessRestarts = 4294967295u;
// REGISTER address and ANNOUNCE base address. They must parse with
// parse_endpoint(), must not use the wildcard host, and must leave room for
// the ports counted from them: a REGISTER address is the subworker's base+0
// (it serves base+0..3, so its port is at most 65532); an ANNOUNCE base
// address is a control plane's (base+0..4, so at most 65531).
inline constexpr std::size_t kMaxAddressBytes = 512;
inline constexpr int kLastPriorityPortOffset = 3;
// REGISTER max_payload_bytes frame, and every role's --max-payload-bytes:
// 1..kLargestMaxPayloadBytes.
inline constexpr std::uint32_t kLargestMaxPayloadBytes = std::uint32_t{1} << 30;
// REGISTER tasks frame: a JSON array of at most kMaxTaskNames distinct task
// names, at most kMaxTaskListBytes long.
inline constexpr std::size_t kMaxTaskNames = 10000;
inline constexpr std::size_t kMaxTaskListBytes = 2 * 1024 * 1024;
// WORKERS_REPLY status frame: a UTF-8 JSON object (fastqueue/subworker_status.hpp).
// encode() sends it unchanged: the sender keeps it within this limit.
inline constexpr std::size_t kMaxStatusBytes = 4 * 1024 * 1024;

struct DecodeResult {
    std::optional<Message> message;  // set on success
    std::string error;               // set on failure: why, one line
    std::string task_id;             // the task id frame when it could be read, for the error reply
};

// Where decode() puts a RESULT's result bytes.
enum class ResultBytes {
    in_record,  // copied into record.result (a client, which keeps the record)
    in_frame    // the frame moved into Result::result_frame, record.result left
                // empty: no copy (the control plane, which caches and relays it)
};

// Decodes one message. Moves payload frames out of `frames` (no copy); a
// RESULT's result bytes go where `result_bytes` says; a RECORD's are copied
// into its record.
DecodeResult decode(Frames& frames, ResultBytes result_bytes = ResultBytes::in_record);

// Encodes one message. Moves the payload or result bytes into the frames.
// Never throws on content: text that is not UTF-8 is repaired and text over
// its limit is cut (see the limits above), so the peer can always decode it.
Frames encode(Message&& message);

// A RESULT for `record` whose result bytes are shared, not copied: the frame
// holds a reference to `result` until ZeroMQ has sent it. record.result is
// ignored. Otherwise as encode(Result{record}).
Frames encode_result(const TaskRecord& record, const SharedBytes& result);

// A frame that takes ownership of `bytes` without copying them: the string
// moves to the heap and ZeroMQ frees it when the frame is sent or dropped.
zmq::message_t owning_frame(std::string&& bytes);

// Most frames in any protocol-1 message body (REGISTER with its
// max_payload_bytes frame has 8).
inline constexpr std::size_t kMaxBodyFrames = 8;

// The message type as it appears in frame 1 ("SUBMIT", "ACK", ...), for logs.
std::string_view message_type_name(const Message& message);

}  // namespace fastqueue::protocol

// frame_limits.hpp -- the largest frame each FastQueue socket takes in
// (ZMQ_MAXMSGSIZE), every one of them derived from the limits the protocol
// documents (docs/protocol.md, "Frame sizes"). ZeroMQ closes a
// connection that sends a larger frame before the frame is buffered, so no
// peer can make a role hold more than one such frame per connection.
//
// ZMQ_MAXMSGSIZE counts each frame on its own, and it also applies to the
// ZMTP handshake's commands (READY; CURVE's HELLO and INITIATE, about 300
// bytes), so no socket's limit may be below kHandshakeFrameBytes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "protocol/codec.hpp"

namespace fastqueue {

// The smallest limit any socket gets: room for the handshake's commands.
inline constexpr std::int64_t kHandshakeFrameBytes = 512;

// Room beyond a sized field's own limit on the ports that carry one
// (payloads, results, task lists): a frame a little too large still reaches
// the role, which refuses it with a reason naming the limit; only a frame
// further over is cut off by ZeroMQ without a word.
inline constexpr std::int64_t kFrameSlackBytes = 4096;

// Ports whose messages are made only of ids, names, numbers, addresses and
// reasons: the control plane's query port, a subworker's management link,
// the discovery subscriber. Their longest field is a reason (kMaxTextBytes).
inline constexpr std::int64_t kSmallFrameBytes = protocol::kMaxTextBytes;
static_assert(kSmallFrameBytes >= kHandshakeFrameBytes);
static_assert(kSmallFrameBytes >= std::int64_t{protocol::kMaxAddressBytes});
static_assert(kSmallFrameBytes >= std::int64_t{protocol::kMaxTaskNameBytes});
static_assert(kSmallFrameBytes >= std::int64_t{protocol::kTaskIdBytes});

// The control plane's management port: REGISTER's task list is its largest
// frame.
inline constexpr std::int64_t kManagementFrameBytes =
    std::int64_t{protocol::kMaxTaskListBytes} + kFrameSlackBytes;

// The discovery publisher takes in only subscriptions, and FastQueue's
// subscribers send one byte ("everything"): the handshake is the most it
// needs.
inline constexpr std::int64_t kDiscoveryPublisherFrameBytes = kHandshakeFrameBytes;

// A task port (the control plane's base+0..3, a subworker's base+0..3): a
// SUBMIT's payload is its largest frame.
constexpr std::int64_t task_port_frame_bytes(std::size_t max_payload_bytes) {
    return static_cast<std::int64_t>(max_payload_bytes) + kFrameSlackBytes;
}

// The control plane's link to a subworker: a RESULT, whose result frame
// holds at most the subworker's max_payload_bytes and whose metadata frame
// at most kMaxMetadataBytes.
constexpr std::int64_t result_link_frame_bytes(std::size_t max_payload_bytes) {
    return static_cast<std::int64_t>(std::max(max_payload_bytes, protocol::kMaxMetadataBytes)) +
           kFrameSlackBytes;
}

}  // namespace fastqueue

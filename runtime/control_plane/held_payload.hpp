// held_payload.hpp -- a task's input while the control plane holds it
// (queued, scheduled, or kept for another attempt).
//
// Payloads of up to kCopyLimit bytes are copied out of their ZeroMQ message
// into a block of their own. A received message larger than 33 bytes points
// into the 8 KiB buffer ZeroMQ decoded it from (zero-copy receive), and that
// buffer, with room for some 250 message headers, stays allocated while any
// message in it lives: a deep queue of small tasks would keep about 18 KiB
// per 60 tasks, several times their payloads. Larger payloads keep their
// message and are shared by reference count, never copied (docs/architecture.md,
// the copies table).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <zmq.hpp>

#include "common/compact_bytes.hpp"
#include "common/shared_bytes.hpp"

namespace fastqueue {

class HeldPayload {
public:
    static constexpr std::size_t kCopyLimit = SharedBytes::kFrameCopyLimit;

    HeldPayload() = default;
    explicit HeldPayload(zmq::message_t&& message);

    // A message with the payload for one attempt; this keeps it (large
    // payloads: a reference, small ones: a copy).
    zmq::message_t share() const;
    // The payload as a message, leaving this empty.
    zmq::message_t take();

    std::size_t size() const;
    // The bytes, valid while this holds them (not after take()).
    std::string_view view() const;

private:
    CompactBytes small_;                     // when at most kCopyLimit bytes
    std::unique_ptr<zmq::message_t> large_;  // otherwise
};

}  // namespace fastqueue

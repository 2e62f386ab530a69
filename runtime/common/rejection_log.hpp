// rejection_log.hpp -- the one way a role reports a message it refuses to
// use (malformed, of a kind not accepted on that socket, or about a task the
// sender has no business with): the message is counted, and one warning line
// names the sender, the socket it arrived on, the running count and the reason:
//
//   rejected message #3 from peer 0080000001 (127.0.0.1) on tcp://127.0.0.1:5557:
//   not a FastQueue message      (one line in the log)
//
// The control plane and the subworker each own one RejectionLog; its count is
// what ControlPlane::stats() and Subworker::stats() report as
// messages_rejected, and what WORKERS_REPLY carries for the control plane.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <zmq.hpp>

namespace fastqueue {

// A peer's routing id as hex (its first 16 bytes), for log lines.
std::string describe_peer(const zmq::message_t& routing_id);

// "peer HEX (IP)" for a message received on a ROUTER: the routing id, and
// the IP address the peer connected from when ZeroMQ knows it (read from
// the metadata of `any_frame`, any body frame of the same message).
std::string describe_sender(const zmq::message_t& routing_id, const zmq::message_t& any_frame);

class RejectionLog {
public:
    RejectionLog() = default;
    RejectionLog(const RejectionLog&) = delete;
    RejectionLog& operator=(const RejectionLog&) = delete;

    // Counts one rejected message and logs it once at warn level. Called by
    // the role's I/O thread only; `sender` names who sent it (see
    // describe_sender), `socket_address` where it arrived.
    void record(std::string_view sender, std::string_view socket_address, std::string_view reason);

    // Messages rejected so far. Thread-safe.
    std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> count_{0};
};

}  // namespace fastqueue

// client_ports.hpp -- the control plane's ports for clients: the four
// priority ports (base+0..3: SUBMIT in, ACK, REFUSED and RESULT out) and the
// query port (base+4: QUERY, CANCEL, WORKERS), with their poll items and
// what InputPoller must know of them.
//
// ACKs of the submissions accepted in a loop turn wait until the turn's
// dispatch (defer_ack, send_pending_acks), so that a task that can start
// already runs when its ACK goes out; no RESULT overtakes an ACK
// (send_result sends the waiting ACKs first).
//
// With a journal (hold_answers_until_written()), the answers that report a
// change of state (RESULTs, CANCEL replies, the ACK and RESULT of a resent
// submission) are held too, and go out after the ACKs once the turn's
// records are written (send_pending_acks(true)); an ACK whose task could not
// be written becomes a REFUSED (refuse_pending_ack).
//
// Belongs to the control plane's I/O thread.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/endpoint.hpp"
#include "common/shared_bytes.hpp"
#include "common/task_id.hpp"
#include "fastqueue/task.hpp"
#include "protocol/codec.hpp"
#include "transport/router_socket.hpp"

namespace fastqueue {

class ClientPorts {
public:
    // Poll items [0, kPriorityCount) are the priority ports, kQueryItem the
    // query port.
    static constexpr std::size_t kQueryItem = kPriorityCount;
    static constexpr std::size_t kItemCount = kPriorityCount + 1;

    // Binds base+0..3 (frames up to what max_payload_bytes needs) and base+4.
    // Throws std::runtime_error naming an address that cannot be bound. With
    // `curve`, every port is a CURVE server.
    void bind(zmq::context_t& context, const Endpoint& base, std::size_t max_payload_bytes,
              const CurveServerOptions* curve = nullptr);

    RouterSocket& submit_port(int port) { return submit_ports_[port]; }
    RouterSocket& query_port() { return query_port_; }

    // Sets the first kItemCount poll items to these ports.
    void set_items(std::vector<zmq::pollitem_t>& items);
    // Stops reading the priority ports (at shutdown: no new submission is
    // acknowledged).
    static void stop_submissions(std::vector<zmq::pollitem_t>& items);
    // Sets InputPoller's flags of the first kItemCount items: true for a port
    // used since it last reported no input.
    void take_unannounced(std::vector<bool>& unannounced);

    // ACKs the task on `port` after this turn's dispatch.
    void defer_ack(int port, const zmq::message_t& routing_id, const TaskId& id);
    // Sends the waiting ACKs (and refusals), then, unless are_written is
    // false (the journal could not write this turn's records), the held
    // answers.
    void send_pending_acks(bool are_written = true);
    // The RESULT of an ended task to the client waiting at port (after any
    // waiting ACK; held when answers are held).
    void send_result(int port, zmq::message_t& routing_id, const TaskRecord& record,
                     const SharedBytes& result);

    // With a journal: see the file comment.
    void hold_answers_until_written() { is_holding_answers_ = true; }
    bool is_holding_answers() const { return is_holding_answers_; }
    // Sends `body` on `socket`, or holds it until the turn's records are
    // written when answers are held.
    void send_or_hold(RouterSocket& socket, const zmq::message_t& routing_id,
                      protocol::Frames&& body);
    // The waiting ACKs of task `id` go out as REFUSED with `reason`.
    void refuse_pending_ack(const TaskId& id, const std::string& reason);

private:
    std::array<RouterSocket, kPriorityCount> submit_ports_;
    RouterSocket query_port_;
    struct PendingAck {
        int port;
        zmq::message_t routing_id;
        TaskId task_id;
        std::string refusal;  // non-empty: sent as REFUSED with this reason
    };
    std::vector<PendingAck> pending_acks_;
    struct HeldAnswer {
        RouterSocket* socket;
        zmq::message_t routing_id;
        protocol::Frames body;
    };
    std::vector<HeldAnswer> held_answers_;
    bool is_holding_answers_ = false;
};

}  // namespace fastqueue

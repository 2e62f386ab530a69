// client_ports.cpp -- see client_ports.hpp.
#include "control_plane/client_ports.hpp"

#include "protocol/codec.hpp"
#include "transport/frame_limits.hpp"

namespace fastqueue {

void ClientPorts::bind(zmq::context_t& context, const Endpoint& base, std::size_t max_payload_bytes,
                       const CurveServerOptions* curve) {
    for (int port = 0; port < kPriorityCount; ++port) {
        submit_ports_[port] = RouterSocket(context, base.with_port_offset(port).to_string(),
                                           task_port_frame_bytes(max_payload_bytes), curve);
    }
    query_port_ = RouterSocket(context, base.with_port_offset(kQueryPortOffset).to_string(),
                               kSmallFrameBytes, curve);
}

void ClientPorts::set_items(std::vector<zmq::pollitem_t>& items) {
    for (int port = 0; port < kPriorityCount; ++port) {
        items[port] = {submit_ports_[port].handle(), 0, ZMQ_POLLIN, 0};
    }
    items[kQueryItem] = {query_port_.handle(), 0, ZMQ_POLLIN, 0};
}

void ClientPorts::stop_submissions(std::vector<zmq::pollitem_t>& items) {
    for (int port = 0; port < kPriorityCount; ++port) items[port].events = 0;
}

void ClientPorts::take_unannounced(std::vector<bool>& unannounced) {
    for (int port = 0; port < kPriorityCount; ++port) {
        unannounced[port] = submit_ports_[port].take_unannounced_input();
    }
    unannounced[kQueryItem] = query_port_.take_unannounced_input();
}

void ClientPorts::defer_ack(int port, const zmq::message_t& routing_id, const TaskId& id) {
    pending_acks_.push_back(
        PendingAck{port, zmq::message_t(routing_id.data(), routing_id.size()), id, {}});
}

void ClientPorts::refuse_pending_ack(const TaskId& id, const std::string& reason) {
    for (auto& ack : pending_acks_) {
        if (ack.task_id == id) ack.refusal = reason;
    }
}

void ClientPorts::send_pending_acks(bool are_written) {
    for (auto& ack : pending_acks_) {
        const std::string task_id = ack.task_id.to_string();
        submit_ports_[ack.port].send(
            ack.routing_id, ack.refusal.empty()
                                ? protocol::encode(protocol::Ack{task_id})
                                : protocol::encode(protocol::Refused{task_id, ack.refusal}));
    }
    pending_acks_.clear();
    if (!are_written) return;
    for (auto& answer : held_answers_)
        answer.socket->send(answer.routing_id, std::move(answer.body));
    held_answers_.clear();
}

void ClientPorts::send_or_hold(RouterSocket& socket, const zmq::message_t& routing_id,
                               protocol::Frames&& body) {
    if (!is_holding_answers_) {
        socket.send(routing_id, std::move(body));
        return;
    }
    held_answers_.push_back(
        HeldAnswer{&socket, zmq::message_t(routing_id.data(), routing_id.size()), std::move(body)});
}

void ClientPorts::send_result(int port, zmq::message_t& routing_id, const TaskRecord& record,
                              const SharedBytes& result) {
    if (is_holding_answers_) {
        send_or_hold(submit_ports_[port], routing_id, protocol::encode_result(record, result));
        return;
    }
    send_pending_acks();
    submit_ports_[port].send(routing_id, protocol::encode_result(record, result));
}

}  // namespace fastqueue

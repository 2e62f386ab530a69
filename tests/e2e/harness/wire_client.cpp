// wire_client.cpp -- see wire_client.hpp.
#include "harness/wire_client.hpp"

namespace fastqueue::e2e {

WireClient::WireClient(const std::string& address, const std::string& routing_id)
    : context_(1), socket_(context_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    if (!routing_id.empty()) socket_.set(zmq::sockopt::routing_id, zmq::buffer(routing_id));
    socket_.connect(address);
}

void WireClient::send_raw(const std::vector<std::string>& frames) {
    send_raw_frames(socket_, frames);
}

void send_raw_frames(zmq::socket_t& socket, const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
        socket.send(zmq::buffer(frames[i]), flags);
    }
}

void WireClient::send(protocol::Message&& message) {
    protocol::Frames frames = protocol::encode(std::move(message));
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
        socket_.send(frames[i], flags);
    }
}

std::optional<protocol::DecodeResult> WireClient::receive(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0) return std::nullopt;
    protocol::Frames frames;
    while (true) {
        zmq::message_t frame;
        if (!socket_.recv(frame, zmq::recv_flags::none)) break;
        const bool has_more = frame.more();
        frames.push_back(std::move(frame));
        if (!has_more) break;
    }
    return protocol::decode(frames);
}

std::vector<std::string> submit_frames(const std::string& task_id, const std::string& task_name,
                                       bool wants_result, const std::string& payload) {
    return {std::string(protocol::kProtocolId),
            "SUBMIT",
            task_id,
            task_name,
            std::string(1, wants_result ? '\x01' : '\x00'),
            payload};
}

}  // namespace fastqueue::e2e

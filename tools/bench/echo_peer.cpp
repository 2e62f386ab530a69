// echo_peer.cpp -- the baseline peer's thread.
#include "echo_peer.hpp"

#include <zmq_addon.hpp>

#include "load_driver.hpp"

namespace fastqueue::bench {

EchoPeer::EchoPeer(zmq::context_t& context, zmq::socket_type type, std::uint32_t in_flight)
    : EchoPeer(context, type, in_flight,
               [](zmq::socket_t& socket, std::vector<zmq::message_t>& frames) {
                   zmq::send_multipart(socket, frames);
               }) {}

EchoPeer::EchoPeer(zmq::context_t& context, zmq::socket_type type, std::uint32_t in_flight,
                   Responder responder)
    : socket_(context, type), responder_(std::move(responder)) {
    // A ROUTER drops what it cannot queue, and ZeroMQ learns how much the
    // other end has read only every half high-water mark: twice the answers
    // that can be outstanding keeps every one.
    size_high_water_marks(socket_, 2 * in_flight);
    socket_.bind("tcp://127.0.0.1:*");
    address_ = socket_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { serve(); });
}

EchoPeer::~EchoPeer() {
    is_stopping_ = true;
    thread_.join();
}

void EchoPeer::serve() {
    constexpr auto kPollInterval = std::chrono::milliseconds(10);
    std::vector<zmq::message_t> frames;
    while (!is_stopping_) {
        zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, kPollInterval);
        for (;;) {
            frames.clear();
            auto received =
                zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait);
            if (!received) break;
            responder_(socket_, frames);
        }
    }
}

}  // namespace fastqueue::bench

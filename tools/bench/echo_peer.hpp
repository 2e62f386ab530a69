// echo_peer.hpp -- the far end of every transport baseline: a socket bound to
// an ephemeral 127.0.0.1 port, served by its own thread, that hands each
// message it receives to a responder, which sends the answers. The thread
// checks a stop flag between bounded polls and is joined by the destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

namespace fastqueue::bench {

class EchoPeer {
public:
    // Called on the peer's thread with each received message (a ROUTER's
    // frames start with the routing id); it sends whatever answers it wants.
    using Responder =
        std::function<void(zmq::socket_t& socket, std::vector<zmq::message_t>& frames)>;

    // in_flight: how many answers can be outstanding at once.
    // A peer that sends every message straight back, unchanged.
    EchoPeer(zmq::context_t& context, zmq::socket_type type, std::uint32_t in_flight);
    EchoPeer(zmq::context_t& context, zmq::socket_type type, std::uint32_t in_flight,
             Responder responder);
    ~EchoPeer();
    EchoPeer(const EchoPeer&) = delete;
    EchoPeer& operator=(const EchoPeer&) = delete;

    const std::string& address() const { return address_; }

private:
    void serve();

    zmq::socket_t socket_;
    Responder responder_;
    std::string address_;
    std::atomic<bool> is_stopping_{false};
    std::thread thread_;
};

}  // namespace fastqueue::bench

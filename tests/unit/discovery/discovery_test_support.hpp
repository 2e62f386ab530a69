// discovery_test_support.hpp -- what the discovery tests and the client
// flags tests share: a free loopback address to announce on, and a loop that
// keeps publishing while a discovery runs in another thread.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <zmq.hpp>

namespace fastqueue::testing {

// A free 127.0.0.1 address: bound once by the system, then released.
inline std::string unused_address() {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::pub);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind("tcp://127.0.0.1:*");
    return socket.get(zmq::sockopt::last_endpoint);
}

// Calls `publish` every 20 ms until `pending` is ready (a subscriber only
// sees what is published after it joined), for at most `limit`.
template <typename T>
void publish_until_ready(std::future<T>& pending, const std::function<void()>& publish,
                         std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        publish();
        if (pending.wait_for(std::chrono::milliseconds(20)) == std::future_status::ready) return;
    }
}

}  // namespace fastqueue::testing

// wait_readable.cpp -- see wait_readable.hpp.
#include "transport/wait_readable.hpp"

#include <cerrno>

namespace fastqueue {

bool wait_readable(zmq::socket_ref socket, std::chrono::steady_clock::time_point deadline) {
    // Each pass polls for the time that is left, so the loop ends by the
    // deadline however often a signal interrupts it.
    while (true) {
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (remaining.count() <= 0) return false;
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        try {
            zmq::poll(&item, 1, remaining);
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;  // a signal; the deadline still holds
            throw;
        }
        if ((item.revents & ZMQ_POLLIN) != 0) return true;
    }
}

}  // namespace fastqueue

// input_poller.cpp -- see input_poller.hpp.
#include "transport/input_poller.hpp"

#include <cerrno>
#include <system_error>

namespace fastqueue {
namespace {

int notification_fd(void* socket) {
    int fd = -1;
    size_t size = sizeof fd;
    if (zmq_getsockopt(socket, ZMQ_FD, &fd, &size) != 0) throw zmq::error_t();
    return fd;
}

// Asks the socket for its state (ZMQ_POLLIN, ZMQ_POLLOUT): ZeroMQ first takes
// in every command waiting for it, which also empties its notification fd.
short socket_events(void* socket) {
    int events = 0;
    size_t size = sizeof events;
    if (zmq_getsockopt(socket, ZMQ_EVENTS, &events, &size) != 0) throw zmq::error_t();
    return static_cast<short>(events & (ZMQ_POLLIN | ZMQ_POLLOUT));
}

}  // namespace

int InputPoller::wait(std::vector<zmq::pollitem_t>& items, const std::vector<bool>& unannounced,
                      std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    fds_.resize(items.size());
    int ready = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto& item = items[i];
        item.revents = 0;
        fds_[i] = pollfd{-1, 0, 0};  // poll() skips negative descriptors
        if (item.socket == nullptr) {
            if (item.events & ZMQ_POLLIN) fds_[i] = pollfd{item.fd, POLLIN, 0};
            continue;
        }
        if ((item.events & (ZMQ_POLLIN | ZMQ_POLLOUT)) == 0) continue;
        fds_[i] = pollfd{notification_fd(item.socket), POLLIN, 0};
        if (unannounced[i] || (item.events & ZMQ_POLLOUT)) {
            item.revents = socket_events(item.socket) & item.events;
            if (item.revents != 0) ++ready;
        }
    }

    // With input found already, one look that does not block, for the rest.
    auto wait_ms = ready > 0 ? std::chrono::milliseconds(0) : timeout;
    while (true) {
        const int rc = ::poll(fds_.data(), fds_.size(), static_cast<int>(wait_ms.count()));
        if (rc < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "poll");
        for (std::size_t i = 0; rc > 0 && i < items.size(); ++i) {
            const short fired = fds_[i].revents;
            if (fds_[i].fd < 0 || fired == 0) continue;
            auto& item = items[i];
            if (item.socket == nullptr) {
                if (fired & POLLIN) item.revents |= ZMQ_POLLIN;
                if (fired & (POLLERR | POLLHUP | POLLNVAL)) item.revents |= ZMQ_POLLERR;
                if (item.revents != 0) ++ready;
            } else if (item.revents == 0) {
                item.revents = socket_events(item.socket) & item.events;
                if (item.revents != 0) ++ready;
            }
        }
        if (ready > 0 || wait_ms.count() == 0) return ready;
        // Woken by commands that brought no input (or a signal): wait out
        // the rest of the timeout.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return 0;
        wait_ms = left;
    }
}

}  // namespace fastqueue

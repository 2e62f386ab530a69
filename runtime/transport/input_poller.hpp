// input_poller.hpp -- waits for input on ZeroMQ sockets and plain file
// descriptors as zmq::poll does, with a few system calls per wait instead of
// a few per socket.
//
// Why: zmq::poll asks every ZeroMQ socket for its state (ZMQ_EVENTS) once
// before it blocks and once after, and inside ZeroMQ each ask is a getpid()
// and a poll() of the socket's notification fd. For the control plane's six
// ports that is about 26 system calls per wait: on the benchmark machine, a
// third of the control plane's CPU at one task in flight
// (docs/benchmarks.md).
//
// How: a ZeroMQ socket's notification fd (ZMQ_FD) becomes readable when the
// socket is handed a command by ZeroMQ's I/O thread, such as "messages
// arrived on a pipe that was empty". It stays quiet for a message that joins
// others not yet read, and a send or a receive on the socket may take in the
// command for a message it does not read, which then waits with the fd
// quiet. So wait() asks a socket for its state only when its fd became
// readable, or when the caller says the socket may hold such unannounced
// input (see wait()).
#pragma once

#include <poll.h>

#include <chrono>
#include <vector>
#include <zmq.hpp>

namespace fastqueue {

class InputPoller {
public:
    // Waits until an item is ready, or until timeout (at least 0) passes.
    //   items: as for zmq::poll. An item is a ZeroMQ socket (socket set),
    //     waited on for ZMQ_POLLIN and/or ZMQ_POLLOUT, or a file descriptor
    //     (socket null, fd set), waited on for ZMQ_POLLIN; an item asking
    //     for neither is left out. Each item's revents is set to the events
    //     it asked for that are ready, else 0 (a file descriptor in error or
    //     hung up also gets ZMQ_POLLERR).
    //   unannounced: one flag per item. It must be true for a ZeroMQ socket
    //     that was sent on, or received from without a receive that found
    //     nothing, since the last wait that asked it; such a socket, and any
    //     socket waited on for ZMQ_POLLOUT, is asked before blocking, and the
    //     wait does not block when one is ready. Flags of file descriptors
    //     are ignored.
    // Returns the number of items ready; 0 when the timeout passed.
    // Throws zmq::error_t when ZeroMQ refuses to report a socket's state
    // (its context is terminated) and std::system_error when poll() fails.
    int wait(std::vector<zmq::pollitem_t>& items, const std::vector<bool>& unannounced,
             std::chrono::milliseconds timeout);

private:
    std::vector<pollfd> fds_;  // one per item, reused between waits
};

}  // namespace fastqueue

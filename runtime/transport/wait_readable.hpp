// wait_readable.hpp -- the one way a synchronous caller (the client library,
// discovery) waits for a socket to have a message: a poll bounded by an
// absolute deadline, never a sleep.
#pragma once

#include <chrono>
#include <zmq.hpp>

namespace fastqueue {

// Waits until `socket` has a message to read (true) or `deadline` passes
// (false). A signal that interrupts the poll does not end the wait early.
// Throws zmq::error_t for socket errors.
bool wait_readable(zmq::socket_ref socket, std::chrono::steady_clock::time_point deadline);

}  // namespace fastqueue

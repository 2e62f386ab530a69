// tracked_bytes.hpp -- bytes a test owns, lent to one ZeroMQ frame that says
// when it let them go: shows that bytes are shared, not copied, and released
// once the last holder is gone.
#pragma once

#include <string>
#include <zmq.hpp>

namespace fastqueue::test {

struct TrackedBytes {
    std::string bytes;
    bool is_released = false;

    explicit TrackedBytes(std::string text) : bytes(std::move(text)) {}

    // A frame over `bytes` itself (no copy); make one at most, and keep this
    // object alive until it is released.
    zmq::message_t lend_as_frame() {
        return zmq::message_t(
            bytes.data(), bytes.size(),
            [](void*, void* hint) { static_cast<TrackedBytes*>(hint)->is_released = true; }, this);
    }
};

}  // namespace fastqueue::test

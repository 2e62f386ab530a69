// shared_bytes.hpp -- immutable bytes shared by reference count, held either
// in a std::string or in a received ZeroMQ frame, so that a task's result
// can be cached and sent any number of times without being copied.
//
// Copying a SharedBytes copies a reference, never the bytes. The bytes never
// change and live until the last SharedBytes and the last frame made by
// share_as_frame() are gone. Safe to read from several threads; the reference
// count is atomic.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <zmq.hpp>

namespace fastqueue {

class SharedBytes {
public:
    // Frames of at most this many bytes are copied rather than kept. A
    // received frame larger than 33 bytes points into the 8 KiB buffer
    // ZeroMQ decoded it from (zero-copy receive), and that buffer stays
    // allocated while any frame in it lives: thousands of small results kept
    // in the result cache would hold several times their size. (HeldPayload
    // keeps a task's input by the same rule.)
    static constexpr std::size_t kFrameCopyLimit = 1024;

    SharedBytes() = default;  // no bytes

    // Takes the string's bytes (moved, not copied).
    static SharedBytes from_string(std::string bytes);
    // Takes the frame's bytes: the frame is moved, not copied, when it is
    // larger than kFrameCopyLimit; smaller ones are copied and let go.
    static SharedBytes from_frame(zmq::message_t frame);

    std::string_view view() const { return bytes_; }
    std::size_t size() const { return bytes_.size(); }
    bool empty() const { return bytes_.empty(); }

    // A frame of these bytes that holds a reference to them until ZeroMQ is
    // done with it: a frame to send, without a copy. An empty frame when
    // there are no bytes.
    zmq::message_t share_as_frame() const;

private:
    SharedBytes(std::shared_ptr<const void> owner, std::string_view bytes)
        : owner_(std::move(owner)), bytes_(bytes) {}

    std::shared_ptr<const void> owner_;  // keeps bytes_ alive; null when empty
    std::string_view bytes_;
};

}  // namespace fastqueue

// held_payload.cpp -- see held_payload.hpp.
#include "control_plane/held_payload.hpp"

#include <utility>

namespace fastqueue {

HeldPayload::HeldPayload(zmq::message_t&& message) {
    if (message.size() <= kCopyLimit) {
        small_ = CompactBytes(message.data(), message.size());
    } else {
        large_ = std::make_unique<zmq::message_t>(std::move(message));
    }
}

zmq::message_t HeldPayload::share() const {
    if (!large_) return zmq::message_t(small_.data(), small_.size());
    zmq::message_t shared;
    shared.copy(*large_);  // a reference count, not the bytes
    return shared;
}

zmq::message_t HeldPayload::take() {
    zmq::message_t message = large_ ? std::move(*large_) : share();
    large_.reset();
    small_ = CompactBytes();
    return message;
}

std::size_t HeldPayload::size() const { return large_ ? large_->size() : small_.size(); }

std::string_view HeldPayload::view() const {
    if (!large_) return small_.view();
    return {static_cast<const char*>(large_->data()), large_->size()};
}

}  // namespace fastqueue

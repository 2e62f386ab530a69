// shared_bytes.cpp -- SharedBytes: the owner is the string or the frame
// itself, on the heap behind a shared_ptr.
#include "common/shared_bytes.hpp"

namespace fastqueue {

SharedBytes SharedBytes::from_string(std::string bytes) {
    if (bytes.empty()) return SharedBytes();
    auto owner = std::make_shared<const std::string>(std::move(bytes));
    const std::string_view view(*owner);
    return SharedBytes(std::move(owner), view);
}

SharedBytes SharedBytes::from_frame(zmq::message_t frame) {
    if (frame.size() == 0) return SharedBytes();
    if (frame.size() <= kFrameCopyLimit) {
        return from_string(std::string(static_cast<const char*>(frame.data()), frame.size()));
    }
    auto owner = std::make_shared<const zmq::message_t>(std::move(frame));
    const std::string_view view(static_cast<const char*>(owner->data()), owner->size());
    return SharedBytes(std::move(owner), view);
}

zmq::message_t SharedBytes::share_as_frame() const {
    if (bytes_.empty()) return zmq::message_t();
    // ZeroMQ calls the free function once, when it no longer needs the
    // bytes; the reference it holds until then is a SharedBytes of its own.
    auto* reference = new SharedBytes(*this);
    return zmq::message_t(
        const_cast<char*>(bytes_.data()), bytes_.size(),
        [](void*, void* hint) { delete static_cast<SharedBytes*>(hint); }, reference);
}

}  // namespace fastqueue

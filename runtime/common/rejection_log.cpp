// rejection_log.cpp -- see rejection_log.hpp.
#include "common/rejection_log.hpp"

#include <spdlog/spdlog.h>

namespace fastqueue {
namespace {

// Bytes of a routing id shown; ZeroMQ's own ids are 5 bytes.
constexpr std::size_t kMaxRoutingIdBytesShown = 16;

}  // namespace

std::string describe_peer(const zmq::message_t& routing_id) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    const auto* bytes = routing_id.data<unsigned char>();
    for (std::size_t i = 0; i < routing_id.size() && i < kMaxRoutingIdBytesShown; ++i) {
        text += kHex[bytes[i] >> 4];
        text += kHex[bytes[i] & 0xf];
    }
    return text;
}

std::string describe_sender(const zmq::message_t& routing_id, const zmq::message_t& any_frame) {
    std::string text = "peer " + describe_peer(routing_id);
    // "Peer-Address" is set by ZeroMQ for TCP peers (zmq_msg_gets(3)); for
    // other transports the call returns nullptr.
    const char* ip = zmq_msg_gets(any_frame.handle(), "Peer-Address");
    if (ip != nullptr && ip[0] != '\0') text += std::string(" (") + ip + ")";
    return text;
}

void RejectionLog::record(std::string_view sender, std::string_view socket_address,
                          std::string_view reason) {
    const std::uint64_t number = count_.fetch_add(1, std::memory_order_relaxed) + 1;
    spdlog::warn("rejected message #{} from {} on {}: {}", number, sender, socket_address, reason);
}

}  // namespace fastqueue

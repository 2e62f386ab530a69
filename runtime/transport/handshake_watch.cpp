// handshake_watch.cpp -- see handshake_watch.hpp.
#include "transport/handshake_watch.hpp"

#include <zmq.h>

#include <array>
#include <atomic>
#include <cstring>
#include <iomanip>
#include <sstream>

namespace fastqueue {

namespace {

constexpr int kWatchedEvents =
    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED;

std::string hex(std::uint32_t value) {
    std::ostringstream text;
    text << "0x" << std::hex << value;
    return text.str();
}

}  // namespace

HandshakeWatch::HandshakeWatch(zmq::context_t& context, zmq::socket_t& socket, bool is_curve,
                               std::string peer)
    : monitor_(context, zmq::socket_type::pair), is_curve_(is_curve), peer_(std::move(peer)) {
    // Unique per watch: an endpoint stays taken until its socket is closed.
    static std::atomic<std::uint64_t> next_id{0};
    const std::string endpoint = "inproc://fastqueue-handshake-watch-" +
                                 std::to_string(next_id.fetch_add(1, std::memory_order_relaxed));
    if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), kWatchedEvents) != 0) {
        throw zmq::error_t();
    }
    monitor_.set(zmq::sockopt::linger, 0);
    monitor_.connect(endpoint);
}

bool HandshakeWatch::wait(zmq::socket_t& socket, std::chrono::steady_clock::time_point deadline) {
    if (failure_) return true;
    while (true) {
        // Each pass polls for the time that is left (as wait_readable does),
        // so the loop ends by the deadline however often it wakes.
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (remaining.count() <= 0) return false;
        std::array<zmq::pollitem_t, 2> items{
            {{socket.handle(), 0, ZMQ_POLLIN, 0}, {monitor_.handle(), 0, ZMQ_POLLIN, 0}}};
        try {
            zmq::poll(items.data(), items.size(), remaining);
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            throw;
        }
        if (items[1].revents & ZMQ_POLLIN) read_events();
        if (failure_) return true;
        if (items[0].revents & ZMQ_POLLIN) return true;
    }
}

void HandshakeWatch::read_events() {
    // Each event is two frames: 6 bytes (event number, value), then the
    // endpoint. Bounded: at most what is queued now.
    while (!failure_) {
        zmq::message_t head;
        if (!monitor_.recv(head, zmq::recv_flags::dontwait)) return;
        zmq::message_t endpoint;
        if (head.more()) (void)monitor_.recv(endpoint, zmq::recv_flags::none);
        if (head.size() < 6) continue;
        std::uint16_t event = 0;
        std::uint32_t value = 0;
        std::memcpy(&event, head.data(), sizeof event);
        std::memcpy(&value, static_cast<const char*>(head.data()) + 2, sizeof value);
        on_event(event, value);
    }
}

std::string HandshakeWatch::hung_up(const std::string& detail) const {
    // A CURVE server hangs up on a plaintext greeting, and on a CURVE one
    // sealed for another server key, without saying why; a plaintext server
    // may hang up on a CURVE greeting before we see its own.
    return peer_ + " closed the connection during the " +
           (is_curve_ ? "CURVE handshake " : "handshake ") + detail +
           (is_curve_ ? ": either it does not use CURVE, or --control-plane-key is not its "
                        "public key"
                      : ": it probably requires CURVE: give --curve-secret-key and "
                        "--control-plane-key");
}

void HandshakeWatch::on_event(std::uint16_t event, std::uint32_t value) {
    switch (event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            has_succeeded_ = true;
            silent_disconnects_ = 0;
            return;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            failure_ = peer_ + " refused this client's CURVE key (ZAP status " +
                       std::to_string(value) + "): is its public key in the allow-list?";
            return;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
                failure_ = is_curve_ ? peer_ +
                                           " does not use CURVE (it is plaintext), but a "
                                           "CURVE key was given"
                                     : peer_ +
                                           " requires CURVE: give --curve-secret-key and "
                                           "--control-plane-key";
            } else {
                failure_ = "the security handshake with " + peer_ + " failed (protocol error " +
                           hex(value) + ")" +
                           (is_curve_ ? ": is --control-plane-key its public key?" : "");
            }
            return;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            // Mostly the server hanging up mid-handshake (EPIPE, ECONNRESET).
            failure_ = hung_up(std::string("(") + zmq_strerror(static_cast<int>(value)) + ")");
            return;
        case ZMQ_EVENT_DISCONNECTED:
            if (!has_succeeded_ && ++silent_disconnects_ >= kMaxSilentDisconnects) {
                failure_ = hung_up("(" + std::to_string(silent_disconnects_) + " times)");
            }
            return;
        default:
            return;
    }
}

}  // namespace fastqueue

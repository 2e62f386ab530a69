// zap_handler.hpp -- who may connect to a CURVE server socket: the ZAP
// handler (ZeroMQ's authentication protocol, RFC 27) of a context, one small
// actor with its own thread.
//
// ZeroMQ sends the handler one request per connection to a socket of the
// context that names a ZAP domain (transport/curve_socket.hpp); the handler
// answers 200 (admitted, with a user id) or 400 (refused). The decision:
//
//   domain kClientZapDomain      a key of the subworker or client allow-list,
//                                or any key when clients are "any"
//   domain kSubworkerZapDomain   a key of the subworker allow-list only
//   domain kTaskPortZapDomain    the one control plane key of the policy
//                                (a subworker's handler)
//   any other domain/mechanism   refused
//
// The user id is "subworker KEY" for a key of the subworker allow-list,
// "control-plane KEY" for the control plane's key and "client KEY" otherwise
// (KEY in Z85); a socket reads it from any received frame as the "User-Id"
// property (zmq_msg_gets, subworker_key_of()). Allow-lists are directories
// of public certificates, re-read when they change
// (transport/key_directory.hpp).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "transport/key_directory.hpp"

namespace fastqueue {

struct ZapPolicy {
    bool is_any_client_allowed = false;
    std::string clients_dir;     // empty: no client allow-list
    std::string subworkers_dir;  // empty: no subworker allow-list
    // The one key a subworker's task ports admit (Z85); empty: none.
    std::string control_plane_key;
};

// The subworker key (Z85) in the "User-Id" property of a message received on
// a CURVE socket whose peer the handler admitted as "subworker KEY"; empty
// for any other peer and on a plaintext socket.
std::string subworker_key_of(const zmq::message_t& frame);

// One answer of the handler.
struct ZapDecision {
    bool is_admitted = false;
    std::string user_id;  // when admitted
    std::string reason;   // when refused, for the log and the status text
};

// The decisions, apart from the thread and the socket, so that they can be
// tested on their own. Not thread-safe.
class ZapPolicyState {
public:
    // Throws std::runtime_error naming a directory that does not exist.
    explicit ZapPolicyState(const ZapPolicy& policy);
    ZapDecision decide(const std::string& domain, const std::string& mechanism,
                       const std::string& public_key, KeyDirectory::Clock::time_point now);

private:
    bool is_any_client_allowed_;
    std::optional<KeyDirectory> clients_;
    std::optional<KeyDirectory> subworkers_;
    std::string control_plane_key_;
};

class ZapHandler {
public:
    // The endpoint ZeroMQ sends ZAP requests to (RFC 27).
    static constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";

    // Binds kZapEndpoint on `context` and starts answering, so that a server
    // socket bound afterwards is covered from its first connection. Throws
    // std::runtime_error when an allow-list directory is missing or the
    // context already has a handler. `context` must outlive the handler.
    ZapHandler(zmq::context_t& context, const ZapPolicy& policy);
    // Stops and joins the thread.
    ~ZapHandler();
    ZapHandler(const ZapHandler&) = delete;
    ZapHandler& operator=(const ZapHandler&) = delete;

    // Connections refused so far.
    std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

private:
    void run();
    void answer_one();

    ZapPolicyState state_;
    zmq::socket_t requests_;
    zmq::socket_t stop_receiver_;
    zmq::socket_t stop_sender_;
    std::atomic<std::uint64_t> refused_{0};
    KeyDirectory::Clock::time_point last_refusal_logged_{};
    std::uint64_t refusals_not_logged_ = 0;
    std::thread thread_;
};

}  // namespace fastqueue

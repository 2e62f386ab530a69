// zap_handler.cpp -- see zap_handler.hpp.
#include "transport/zap_handler.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>
#include <string_view>
#include <vector>
#include <zmq_addon.hpp>

#include "transport/curve_certificate.hpp"
#include "transport/curve_socket.hpp"

namespace fastqueue {

namespace {

// RFC 27: a request is version, request id, domain, address, identity,
// mechanism, then the mechanism's credentials (one for CURVE: the client's
// 32-byte public key).
constexpr std::size_t kRequestFramesBeforeCredentials = 6;
// Refused connections are logged at most this often, with a count of the
// ones in between, so that a peer knocking in a loop cannot flood the log.
constexpr auto kRefusalLogInterval = std::chrono::seconds(1);

// The user ids the handler gives, each followed by the key in Z85.
constexpr std::string_view kSubworkerUserId = "subworker ";
constexpr std::string_view kClientUserId = "client ";
constexpr std::string_view kControlPlaneUserId = "control-plane ";

std::string frame_text(const zmq::message_t& frame) { return frame.to_string(); }

std::string z85_of_key(const zmq::message_t& frame) {
    if (frame.size() != 32) return {};
    std::array<char, kCurveKeyZ85Length + 1> text{};
    if (zmq_z85_encode(text.data(), frame.data<std::uint8_t>(), 32) == nullptr) return {};
    return text.data();
}

ZapDecision admitted(std::string_view user_id, const std::string& public_key) {
    return {true, std::string(user_id) + public_key, {}};
}

}  // namespace

std::string subworker_key_of(const zmq::message_t& frame) {
    const char* user_id = zmq_msg_gets(frame.handle(), "User-Id");
    if (user_id == nullptr) return {};
    const std::string_view text(user_id);
    if (!text.starts_with(kSubworkerUserId)) return {};
    return std::string(text.substr(kSubworkerUserId.size()));
}

ZapPolicyState::ZapPolicyState(const ZapPolicy& policy)
    : is_any_client_allowed_(policy.is_any_client_allowed),
      control_plane_key_(policy.control_plane_key) {
    if (!policy.clients_dir.empty()) clients_.emplace(policy.clients_dir);
    if (!policy.subworkers_dir.empty()) subworkers_.emplace(policy.subworkers_dir);
}

ZapDecision ZapPolicyState::decide(const std::string& domain, const std::string& mechanism,
                                   const std::string& public_key,
                                   KeyDirectory::Clock::time_point now) {
    if (mechanism != "CURVE" || public_key.empty()) {
        return {false, {}, "mechanism " + mechanism + " is not accepted"};
    }
    if (domain == kTaskPortZapDomain) {
        if (!control_plane_key_.empty() && public_key == control_plane_key_) {
            return admitted(kControlPlaneUserId, public_key);
        }
        return {false, {}, "key " + public_key + " is not the control plane's"};
    }
    const bool is_subworker = subworkers_ && subworkers_->contains(public_key, now);
    if (domain == kSubworkerZapDomain) {
        if (is_subworker) return admitted(kSubworkerUserId, public_key);
        return {false, {}, "key " + public_key + " is not in --authorized-subworkers"};
    }
    if (domain == kClientZapDomain) {
        if (is_subworker) return admitted(kSubworkerUserId, public_key);
        if (is_any_client_allowed_ || (clients_ && clients_->contains(public_key, now))) {
            return admitted(kClientUserId, public_key);
        }
        return {false,
                {},
                "key " + public_key + " is in neither --authorized-clients nor " +
                    "--authorized-subworkers"};
    }
    return {false, {}, "unknown ZAP domain '" + domain + "'"};
}

ZapHandler::ZapHandler(zmq::context_t& context, const ZapPolicy& policy)
    : state_(policy),
      requests_(context, zmq::socket_type::rep),
      stop_receiver_(context, zmq::socket_type::pair),
      stop_sender_(context, zmq::socket_type::pair) {
    requests_.set(zmq::sockopt::linger, 0);
    try {
        requests_.bind(kZapEndpoint);
    } catch (const zmq::error_t& error) {
        throw std::runtime_error(std::string("cannot start the ZAP handler: ") + error.what());
    }
    const std::string stop_endpoint =
        "inproc://fastqueue-zap-stop-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    stop_receiver_.bind(stop_endpoint);
    stop_sender_.connect(stop_endpoint);
    thread_ = std::thread([this] { run(); });
}

ZapHandler::~ZapHandler() {
    stop_sender_.send(zmq::message_t(), zmq::send_flags::none);
    thread_.join();
}

void ZapHandler::run() {
    while (true) {
        std::array<zmq::pollitem_t, 2> items{
            {{requests_.handle(), 0, ZMQ_POLLIN, 0}, {stop_receiver_.handle(), 0, ZMQ_POLLIN, 0}}};
        try {
            zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            spdlog::error("ZAP handler stopped: {}", error.what());
            return;
        }
        if (items[1].revents & ZMQ_POLLIN) return;
        if (items[0].revents & ZMQ_POLLIN) answer_one();
    }
}

void ZapHandler::answer_one() {
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(requests_, std::back_inserter(request), zmq::recv_flags::dontwait)) {
        return;
    }
    // A REP socket must answer whatever it took in; a request too short to
    // carry a request id still gets a refusal.
    const std::string version = request.empty() ? std::string() : frame_text(request[0]);
    const std::string request_id = request.size() > 1 ? frame_text(request[1]) : std::string();
    ZapDecision decision;
    if (version != "1.0" || request.size() < kRequestFramesBeforeCredentials) {
        decision.reason = "malformed ZAP request";
    } else {
        const std::string credentials = request.size() > kRequestFramesBeforeCredentials
                                            ? z85_of_key(request[kRequestFramesBeforeCredentials])
                                            : std::string();
        decision = state_.decide(frame_text(request[2]), frame_text(request[5]), credentials,
                                 KeyDirectory::Clock::now());
        if (!decision.is_admitted) {
            decision.reason += " (peer " + frame_text(request[3]) + ")";
        }
    }
    std::array<zmq::message_t, 6> reply{
        zmq::message_t(std::string_view("1.0")),
        zmq::message_t(request_id),
        zmq::message_t(std::string_view(decision.is_admitted ? "200" : "400")),
        zmq::message_t(decision.is_admitted ? std::string("OK") : std::string("not authorised")),
        zmq::message_t(decision.user_id),
        zmq::message_t()};
    zmq::send_multipart(requests_, reply);
    if (decision.is_admitted) return;
    refused_.fetch_add(1, std::memory_order_relaxed);
    const auto now = KeyDirectory::Clock::now();
    if (now - last_refusal_logged_ < kRefusalLogInterval) {
        ++refusals_not_logged_;
        return;
    }
    if (refusals_not_logged_ != 0) {
        spdlog::warn("refused a CURVE connection: {} ({} more refused since the last line)",
                     decision.reason, refusals_not_logged_);
    } else {
        spdlog::warn("refused a CURVE connection: {}", decision.reason);
    }
    last_refusal_logged_ = now;
    refusals_not_logged_ = 0;
}

}  // namespace fastqueue

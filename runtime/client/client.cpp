// client.cpp -- the client library (fastqueue/client.hpp) on ZeroMQ DEALER
// sockets: one per priority port actually used and one for the query port
// (base+4), each created on first use.
//
// Every call is one request and one or two replies matched by task id, with
// one overall deadline per call. Replies for other ids are answers to earlier
// calls that timed out; they are read and dropped. A waiting call polls with
// its remaining time and never sleeps. WORKERS carries no task id: its reply
// is the first id-less answer on the query port, which is safe because a
// query-port call that times out closes its socket, so no late answer reaches
// a later call there.
#include "fastqueue/client.hpp"

#include <array>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/duration_text.hpp"
#include "common/endpoint.hpp"
#include "common/uuid.hpp"
#include "protocol/bounded_json.hpp"
#include "protocol/codec.hpp"
#include "protocol/submit_options.hpp"
#include "protocol/text.hpp"
#include "transport/curve_socket.hpp"
#include "transport/handshake_watch.hpp"
#include "transport/receive_frames.hpp"

namespace fastqueue {

namespace {

using SteadyClock = std::chrono::steady_clock;
using protocol::Message;

// Queued requests per socket before a send would block: far more than one
// synchronous client ever has outstanding, small enough to bound memory.
constexpr int kHighWaterMarkMessages = 1000;

// The task id a decoded message answers for; empty for messages that carry
// none (WORKERS_REPLY, and the subworker and discovery messages a client
// never expects).
const std::string& task_id_of(const Message& message) {
    static const std::string kNoTaskId;
    return std::visit(
        [](const auto& value) -> const std::string& {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, protocol::Result> ||
                          std::is_same_v<T, protocol::Record>) {
                return value.record.task_id;
            } else if constexpr (requires { value.task_id; }) {
                return value.task_id;
            } else {
                return kNoTaskId;
            }
        },
        message);
}

[[noreturn]] void throw_unexpected(const Message& reply, std::string_view request,
                                   const std::string& address) {
    if (const auto* error = std::get_if<protocol::Error>(&reply)) {
        throw ClientError(ClientErrorKind::protocol, "control plane at " + address +
                                                         " rejected the " + std::string(request) +
                                                         " request: " + error->message);
    }
    if (const auto* refused = std::get_if<protocol::Refused>(&reply)) {
        // docs/protocol.md: a reason that starts with "busy" means a full queue.
        const bool is_busy = refused->reason.rfind("busy", 0) == 0;
        throw ClientError(is_busy ? ClientErrorKind::busy : ClientErrorKind::refused,
                          "control plane at " + address + " refused the " + std::string(request) +
                              " request: " + refused->reason);
    }
    throw ClientError(ClientErrorKind::protocol,
                      "control plane at " + address + " answered " + std::string(request) +
                          " with an unexpected " + std::string(protocol::message_type_name(reply)) +
                          " message");
}

// The wire form of TaskOptions, checked against the protocol's limits.
protocol::SubmitOptions checked_submit_options(const TaskOptions& options) {
    const auto invalid = [](const std::string& message) {
        return ClientError(ClientErrorKind::invalid_argument, message);
    };
    const auto milliseconds_in = [&](std::chrono::milliseconds value, const char* what,
                                     std::uint32_t max) {
        if (value.count() < 0 || value.count() > static_cast<std::int64_t>(max)) {
            throw invalid(std::string(what) + " must be between 0 and " +
                          format_seconds(std::chrono::milliseconds(max)));
        }
        return static_cast<std::uint32_t>(value.count());
    };
    protocol::SubmitOptions wire;
    wire.timeout_ms =
        milliseconds_in(options.task_timeout, "the task timeout", protocol::kMaxTimeoutMs);
    wire.retry_backoff_ms =
        milliseconds_in(options.retry_backoff, "the retry backoff", protocol::kMaxRetryBackoffMs);
    wire.countdown_ms = milliseconds_in(options.countdown, "the countdown", protocol::kMaxDelayMs);
    if (options.max_retries > protocol::kMaxRetries) {
        throw invalid("max retries must be at most " + std::to_string(protocol::kMaxRetries));
    }
    wire.max_retries = options.max_retries;
    if (options.eta) {
        if (options.countdown.count() != 0) throw invalid("give a countdown or an eta, not both");
        wire.eta = *options.eta;  // the epoch, like any past time, means "now"
    }
    return wire;
}

std::string checked_task_id(std::string_view task_id) {
    auto canonical = canonical_uuid(task_id);
    if (!canonical) {
        throw ClientError(ClientErrorKind::invalid_argument,
                          "invalid task id '" + protocol::printable_excerpt(task_id) +
                              "' (expected a UUID such as 3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f)");
    }
    return *canonical;
}

}  // namespace

struct Client::Impl {
    // Declared first so that it is destroyed last, after every socket.
    zmq::context_t context{1};
    Endpoint base;
    std::chrono::milliseconds timeout;
    std::chrono::milliseconds resend_interval;
    // Index = port offset from the base: 0..3 priorities, 4 queries.
    std::array<std::optional<zmq::socket_t>, kQueryPortOffset + 1> sockets;
    // Each socket's handshake monitor, in the same slot (destroyed with it).
    std::array<std::unique_ptr<HandshakeWatch>, kQueryPortOffset + 1> watches;
    // Set: every socket is a CURVE client of the control plane.
    std::optional<CurveClientOptions> curve;

    std::string address(int port_offset) const {
        return base.with_port_offset(port_offset).to_string();
    }

    zmq::socket_t& socket(int port_offset) {
        auto& slot = sockets[static_cast<std::size_t>(port_offset)];
        if (!slot) {
            zmq::socket_t socket(context, zmq::socket_type::dealer);
            socket.set(zmq::sockopt::linger, 0);
            socket.set(zmq::sockopt::sndhwm, kHighWaterMarkMessages);
            socket.set(zmq::sockopt::rcvhwm, kHighWaterMarkMessages);
            // Queue requests until the connection is up, so that a call made
            // right after construction is not lost while TCP connects.
            socket.set(zmq::sockopt::immediate, 0);
            if (curve) make_curve_client(socket, *curve);
            watches[static_cast<std::size_t>(port_offset)] = std::make_unique<HandshakeWatch>(
                context, socket, curve.has_value(), "the control plane at " + address(port_offset));
            socket.connect(address(port_offset));
            slot.emplace(std::move(socket));
        }
        return *slot;
    }

    // Closing the socket (linger 0) discards a request still queued for an
    // unreachable control plane, so it is not delivered after we gave up.
    void drop_socket(int port_offset) {
        watches[static_cast<std::size_t>(port_offset)].reset();
        sockets[static_cast<std::size_t>(port_offset)].reset();
    }

    // Waits for a message on the socket until the deadline; throws
    // auth_failed as soon as its security handshake fails.
    bool wait_readable(int port_offset, SteadyClock::time_point deadline) {
        zmq::socket_t& socket = this->socket(port_offset);
        HandshakeWatch& watch = *watches[static_cast<std::size_t>(port_offset)];
        const bool is_readable = watch.wait(socket, deadline);
        if (watch.failure()) {
            const std::string reason = *watch.failure();
            drop_socket(port_offset);
            throw ClientError(ClientErrorKind::auth_failed, "authentication failed: " + reason);
        }
        return is_readable;
    }

    void send(int port_offset, Message&& request) {
        protocol::Frames frames = protocol::encode(std::move(request));
        if (!zmq::send_multipart(socket(port_offset), frames, zmq::send_flags::dontwait)) {
            throw ClientError(ClientErrorKind::unreachable,
                              "cannot send to " + address(port_offset) +
                                  ": too many requests queued for an unreachable control plane");
        }
    }

    // The next reply for task_id on the socket, or std::nullopt at the
    // deadline. Replies for other ids are dropped. A malformed reply that is
    // ours (or whose id cannot be read) is a protocol error; an ERROR without
    // a task id is ours too, since every request this client sends has one.
    std::optional<Message> receive_for(int port_offset, const std::string& task_id,
                                       SteadyClock::time_point deadline) {
        while (wait_readable(port_offset, deadline)) {
            zmq::socket_t& socket = this->socket(port_offset);
            auto frames = receive_frames(socket, protocol::kMaxBodyFrames);
            if (!frames) continue;
            protocol::DecodeResult decoded = protocol::decode(*frames);
            if (!decoded.message) {
                if (!decoded.task_id.empty() && decoded.task_id != task_id) continue;
                throw ClientError(
                    ClientErrorKind::protocol,
                    "malformed reply from " + address(port_offset) + ": " + decoded.error);
            }
            const std::string& reply_id = task_id_of(*decoded.message);
            bool is_anonymous_error =
                reply_id.empty() && std::holds_alternative<protocol::Error>(*decoded.message);
            if (reply_id == task_id || is_anonymous_error) return std::move(decoded.message);
        }
        return std::nullopt;
    }

    // Sends a request and returns the first reply for its task id; throws
    // unreachable (naming the address) when none comes before the deadline.
    Message request(int port_offset, Message&& request, const std::string& task_id,
                    SteadyClock::time_point deadline) {
        send(port_offset, std::move(request));
        auto reply = receive_for(port_offset, task_id, deadline);
        if (!reply) give_up(port_offset);
        return std::move(*reply);
    }

    // No answer came in time: drops the socket (so nothing queued there is
    // delivered later) and throws unreachable naming the address.
    [[noreturn]] void give_up(int port_offset) {
        drop_socket(port_offset);
        throw ClientError(ClientErrorKind::unreachable, "no answer from " + address(port_offset) +
                                                            " within " + format_seconds(timeout));
    }

    // Submits and returns the first reply: ACK, or RESULT when the control
    // plane finished the task before acknowledging it. Sends the SUBMIT again
    // (same task id) every resend_interval until a reply or the deadline.
    Message submit(std::string_view task_name, std::string_view payload, Priority priority,
                   const TaskOptions& task_options, bool wants_result, const std::string& task_id,
                   SteadyClock::time_point deadline) {
        if (!protocol::is_valid_task_name(task_name)) {
            throw ClientError(ClientErrorKind::invalid_argument,
                              "invalid task name '" + protocol::printable_excerpt(task_name) +
                                  "' (expected 1.." + std::to_string(protocol::kMaxTaskNameBytes) +
                                  " characters of A-Z a-z 0-9 _ . : -)");
        }
        const protocol::SubmitOptions options = checked_submit_options(task_options);
        const int port_offset = static_cast<int>(priority);
        std::optional<Message> answer;
        // Bounded by the deadline: each pass waits up to resend_interval.
        while (!answer && SteadyClock::now() < deadline) {
            protocol::Submit submit;
            submit.task_id = task_id;
            submit.task_name = std::string(task_name);
            submit.wants_result = wants_result;
            submit.payload = zmq::message_t(payload.data(), payload.size());
            submit.options = options;
            send(port_offset, std::move(submit));
            answer = receive_for(port_offset, task_id,
                                 std::min(deadline, SteadyClock::now() + resend_interval));
        }
        if (!answer) give_up(port_offset);
        Message reply = std::move(*answer);
        bool is_expected = std::holds_alternative<protocol::Ack>(reply) ||
                           (wants_result && std::holds_alternative<protocol::Result>(reply));
        if (!is_expected) throw_unexpected(reply, "SUBMIT", address(port_offset));
        return reply;
    }
};

Client::Client(ClientOptions options) : options_(std::move(options)), impl_(new Impl) {
    std::string error;
    auto base = parse_endpoint(options_.control_plane_address, &error);
    if (!base) throw ClientError(ClientErrorKind::invalid_argument, error);
    if (base->host == "*") {
        throw ClientError(ClientErrorKind::invalid_argument,
                          "address '" + options_.control_plane_address +
                              "' has host '*', which can only be bound; name the control "
                              "plane's host");
    }
    if (base->port + kQueryPortOffset > 65535) {
        throw ClientError(ClientErrorKind::invalid_argument,
                          "address '" + options_.control_plane_address + "' leaves no room for " +
                              "the query port (base+" + std::to_string(kQueryPortOffset) +
                              " must be at most 65535)");
    }
    if (options_.timeout.count() <= 0) {
        throw ClientError(ClientErrorKind::invalid_argument, "the timeout must be positive");
    }
    if (options_.resend_interval.count() <= 0) {
        throw ClientError(ClientErrorKind::invalid_argument,
                          "the resend interval must be positive");
    }
    const bool has_secret = !options_.curve_secret_key_file.empty();
    if (has_secret != !options_.control_plane_key_file.empty()) {
        throw ClientError(ClientErrorKind::invalid_argument,
                          "CURVE needs both this client's secret key file and the control "
                          "plane's public key file, or neither");
    }
    if (has_secret) {
        try {
            impl_->curve = read_curve_client_options(options_.curve_secret_key_file,
                                                     options_.control_plane_key_file);
        } catch (const CurveCertificateError& error) {
            throw ClientError(ClientErrorKind::invalid_argument, error.what());
        }
    }
    impl_->base = *base;
    impl_->timeout = options_.timeout;
    impl_->resend_interval = options_.resend_interval;
}

Client::~Client() = default;

std::string Client::make_payload(std::string_view args_json, std::string_view kwargs_json) {
    auto parse = [](std::string_view text, const char* what, bool wants_array) {
        if (text.empty()) return wants_array ? nlohmann::json::array() : nlohmann::json::object();
        // Refused before it is built: copying or writing a value nested
        // millions deep recurses past the end of the stack.
        auto parsed = protocol::parse_bounded_json(text, kMaxArgumentNesting);
        if (parsed.outcome == protocol::BoundedJsonOutcome::too_deep) {
            throw ClientError(ClientErrorKind::invalid_argument,
                              std::string(what) + " is nested more than " +
                                  std::to_string(kMaxArgumentNesting) + " arrays and objects deep");
        }
        auto& value = parsed.value;
        if (parsed.outcome == protocol::BoundedJsonOutcome::invalid) {
            throw ClientError(
                ClientErrorKind::invalid_argument,
                std::string(what) + " is not valid JSON: " + protocol::printable_excerpt(text));
        }
        if (wants_array ? !value.is_array() : !value.is_object()) {
            throw ClientError(ClientErrorKind::invalid_argument,
                              std::string(what) + " must be a JSON " +
                                  (wants_array ? "array" : "object") + ", got " +
                                  protocol::printable_excerpt(text));
        }
        return std::move(value);
    };
    nlohmann::json payload{{"args", parse(args_json, "args", true)},
                           {"kwargs", parse(kwargs_json, "kwargs", false)}};
    return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TaskRecord Client::submit_and_wait(std::string_view task_name, std::string_view payload,
                                   Priority priority, const TaskOptions& task_options) {
    auto deadline = SteadyClock::now() + options_.timeout;
    std::string task_id = generate_uuid();
    Message reply = impl_->submit(task_name, payload, priority, task_options,
                                  /*wants_result=*/true, task_id, deadline);
    if (auto* result = std::get_if<protocol::Result>(&reply)) return std::move(result->record);

    int port_offset = static_cast<int>(priority);
    while (true) {
        auto next = impl_->receive_for(port_offset, task_id, deadline);
        if (!next) {
            throw ClientError(ClientErrorKind::result_timeout,
                              "task " + task_id + " was accepted but did not finish within " +
                                  format_seconds(options_.timeout));
        }
        if (auto* result = std::get_if<protocol::Result>(&*next)) return std::move(result->record);
        // A repeated ACK for the same id is harmless; anything else is not.
        if (!std::holds_alternative<protocol::Ack>(*next)) {
            throw_unexpected(*next, "SUBMIT", impl_->address(port_offset));
        }
    }
}

std::string Client::submit(std::string_view task_name, std::string_view payload, Priority priority,
                           const TaskOptions& task_options) {
    auto deadline = SteadyClock::now() + options_.timeout;
    std::string task_id = generate_uuid();
    impl_->submit(task_name, payload, priority, task_options, /*wants_result=*/false, task_id,
                  deadline);
    return task_id;
}

std::optional<TaskRecord> Client::get(std::string_view task_id) {
    auto deadline = SteadyClock::now() + options_.timeout;
    std::string id = checked_task_id(task_id);
    Message reply = impl_->request(kQueryPortOffset, protocol::Query{id}, id, deadline);
    if (auto* record = std::get_if<protocol::Record>(&reply)) return std::move(record->record);
    if (std::holds_alternative<protocol::NotFound>(reply)) return std::nullopt;
    throw_unexpected(reply, "QUERY", impl_->address(kQueryPortOffset));
}

CancelResult Client::cancel(std::string_view task_id) {
    auto deadline = SteadyClock::now() + options_.timeout;
    std::string id = checked_task_id(task_id);
    Message reply = impl_->request(kQueryPortOffset, protocol::Cancel{id}, id, deadline);
    auto* cancel_reply = std::get_if<protocol::CancelReply>(&reply);
    if (cancel_reply == nullptr)
        throw_unexpected(reply, "CANCEL", impl_->address(kQueryPortOffset));
    switch (cancel_reply->outcome) {
        case protocol::CancelOutcome::cancelled:
            return CancelResult::cancelled;
        case protocol::CancelOutcome::cancelling:
            return CancelResult::cancelling;
        case protocol::CancelOutcome::finished:
            return CancelResult::finished;
        case protocol::CancelOutcome::not_found:
            break;
    }
    return CancelResult::not_found;
}

SubworkerPoolStatus Client::get_subworker_status() {
    auto deadline = SteadyClock::now() + options_.timeout;
    Message reply =
        impl_->request(kQueryPortOffset, protocol::WorkersQuery{}, /*task_id=*/"", deadline);
    auto* workers = std::get_if<protocol::WorkersReply>(&reply);
    if (workers == nullptr) throw_unexpected(reply, "WORKERS", impl_->address(kQueryPortOffset));
    std::string error;
    auto status = parse_subworker_status(workers->status_json, &error);
    if (!status) {
        throw ClientError(
            ClientErrorKind::protocol,
            "malformed WORKERS_REPLY from " + impl_->address(kQueryPortOffset) + ": " + error);
    }
    return std::move(*status);
}

}  // namespace fastqueue

// load_driver.cpp -- the pipelined request loop and the FastQueue side of it.
// Task ids are canonical UUIDs whose last 12 hex digits are the request's
// index and whose first 18 are random per run, so an answer names its request
// without a lookup table and answers from another run are not mistaken for
// this one's.
#include "load_driver.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/codec.hpp"
#include "transport/receive_frames.hpp"

namespace fastqueue::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t nanoseconds_since(Clock::time_point start, Clock::time_point at) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(at - start).count());
}

// "rrrrrrrr-rrrr-4rrr-8rrr-" with r random hex digits: the per-run prefix of
// every task id.
std::string random_task_id_prefix() {
    std::mt19937_64 random(std::random_device{}());
    char text[40];
    std::uint64_t a = random(), b = random();
    std::snprintf(text, sizeof(text), "%08x-%04x-4%03x-8%03x-", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>(a & 0xffff), static_cast<unsigned>(b & 0xfff),
                  static_cast<unsigned>((b >> 12) & 0xfff));
    return text;
}

std::string task_id_for(const std::string& prefix, std::uint64_t index) {
    char tail[16];
    std::snprintf(tail, sizeof(tail), "%012llx",
                  static_cast<unsigned long long>(index & 0xffffffffffffULL));
    return prefix + tail;
}

// The index in a task id of this run, or std::nullopt for any other id.
std::optional<std::uint64_t> index_of(const std::string& prefix, const std::string& task_id) {
    if (task_id.size() != prefix.size() + 12 || task_id.compare(0, prefix.size(), prefix) != 0) {
        return std::nullopt;
    }
    return std::strtoull(task_id.c_str() + prefix.size(), nullptr, 16);
}

}  // namespace

std::string PipelineOutcome::problems() const {
    if (is_valid()) return "";
    std::string text = std::to_string(measurement.completed) + " of " + std::to_string(requested) +
                       " answered correctly";
    auto add = [&](std::uint64_t count, const char* what) {
        if (count > 0) text += ", " + std::to_string(count) + " " + what;
    };
    add(wrong, "wrong results");
    add(duplicates, "duplicate results");
    add(refused, "refused or rejected");
    add(unreadable, "unreadable answers");
    add(missing, "missing");
    if (timed_out) text += " (stopped at --max-seconds)";
    return text;
}

void size_high_water_marks(zmq::socket_t& socket, std::uint32_t in_flight) {
    constexpr int kSlackMessages = 1000;
    socket.set(zmq::sockopt::sndhwm, static_cast<int>(in_flight) + kSlackMessages);
    socket.set(zmq::sockopt::rcvhwm, 2 * static_cast<int>(in_flight) + kSlackMessages);
    socket.set(zmq::sockopt::linger, 0);
}

std::optional<std::vector<zmq::message_t>> receive_waiting(zmq::socket_t& socket) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
        return std::nullopt;
    }
    return frames;
}

namespace {

constexpr std::string_view kPayloadHead = "{\"args\":[";
constexpr std::string_view kPayloadTail = "],\"kwargs\":{}}";
// The longest head of an echo text: 20 digits of a 64-bit index and ':'.
constexpr std::size_t kMaxHeadBytes = 21;

// What echo_text starts with: the index in decimal and ':'.
std::string echo_text_head(std::uint64_t index) { return std::to_string(index) + ":"; }

// The 'x's that follow the head up to payload_bytes.
std::size_t filler_bytes(const std::string& head, std::uint64_t payload_bytes) {
    return payload_bytes > head.size() ? static_cast<std::size_t>(payload_bytes - head.size()) : 0;
}

void append_echo_text(std::string& out, std::uint64_t index, std::uint64_t payload_bytes) {
    const std::string head = echo_text_head(index);
    out += head;
    out.append(filler_bytes(head, payload_bytes), 'x');
}

// Whether every byte of text is 'x', 8 bytes at a time.
bool is_all_x(std::string_view text) {
    constexpr std::uint64_t kEightX = 0x7878787878787878u;
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, sizeof word);
        if (word != kEightX) return false;
    }
    for (; i < text.size(); ++i) {
        if (text[i] != 'x') return false;
    }
    return true;
}

}  // namespace

std::string echo_text(std::uint64_t index, std::uint64_t payload_bytes) {
    std::string text;
    text.reserve(payload_bytes + kMaxHeadBytes);
    append_echo_text(text, index, payload_bytes);
    return text;
}

// echo_text, quoted, as the args of a JSON object. Its characters (digits,
// ':' and 'x') need no escaping, so quoting them is the whole encoding,
// exactly what a JSON library writes; building it directly, in one
// allocation, keeps the load generator's own cost out of the measurement as
// far as it can be.
std::string echo_payload_text(std::uint64_t index, std::uint64_t payload_bytes) {
    std::string text;
    text.reserve(kPayloadHead.size() + 1 + payload_bytes + kMaxHeadBytes + 1 + kPayloadTail.size());
    text += kPayloadHead;
    text += '"';
    append_echo_text(text, index, payload_bytes);
    text += '"';
    text += kPayloadTail;
    return text;
}

bool is_echo_text(std::string_view text, std::uint64_t index, std::uint64_t payload_bytes) {
    const std::string head = echo_text_head(index);
    return text.size() == head.size() + filler_bytes(head, payload_bytes) &&
           text.substr(0, head.size()) == head && is_all_x(text.substr(head.size()));
}

bool is_quoted_echo_text(std::string_view text, std::uint64_t index, std::uint64_t payload_bytes) {
    return text.size() >= 2 && text.front() == '"' && text.back() == '"' &&
           is_echo_text(text.substr(1, text.size() - 2), index, payload_bytes);
}

bool is_echo_payload_text(std::string_view text, std::uint64_t index, std::uint64_t payload_bytes) {
    const std::size_t frame = kPayloadHead.size() + kPayloadTail.size();
    return text.size() >= frame && text.substr(0, kPayloadHead.size()) == kPayloadHead &&
           text.substr(text.size() - kPayloadTail.size()) == kPayloadTail &&
           is_quoted_echo_text(text.substr(kPayloadHead.size(), text.size() - frame), index,
                               payload_bytes);
}

PipelineOutcome run_pipeline(zmq::socket_t& socket, PipelineProtocol& protocol,
                             std::uint64_t request_count, std::uint32_t in_flight,
                             std::uint64_t payload_bytes, Clock::time_point deadline) {
    constexpr auto kPollInterval = std::chrono::milliseconds(10);
    constexpr auto kDuplicateGrace = std::chrono::milliseconds(200);
    PipelineOutcome outcome;
    outcome.requested = request_count;
    outcome.measurement.payload_bytes = payload_bytes;
    std::vector<std::uint64_t> sent_at_ns(request_count, 0);
    std::vector<bool> is_answered(request_count, false);
    std::vector<std::uint64_t> latencies_ns;
    latencies_ns.reserve(request_count);
    std::uint64_t answered = 0;
    std::uint64_t outstanding = 0;
    const Clock::time_point start = Clock::now();
    Clock::time_point last_answer = start;

    auto take = [&](const Answer& answer) {
        if (answer.kind == Answer::Kind::unreadable || answer.index >= request_count) {
            ++outcome.unreadable;
            return;
        }
        if (answer.kind == Answer::Kind::progress) return;
        if (is_answered[answer.index]) {
            ++outcome.duplicates;
            return;
        }
        is_answered[answer.index] = true;
        ++answered;
        --outstanding;
        last_answer = Clock::now();
        if (answer.kind == Answer::Kind::correct) {
            ++outcome.measurement.completed;
            latencies_ns.push_back(nanoseconds_since(start, last_answer) -
                                   sent_at_ns[answer.index]);
        } else if (answer.kind == Answer::Kind::wrong) {
            ++outcome.wrong;
        } else {
            ++outcome.refused;
        }
    };

    while (answered < request_count) {
        if (Clock::now() >= deadline) {
            outcome.timed_out = true;
            break;
        }
        while (outstanding < in_flight && outcome.sent < request_count) {
            sent_at_ns[outcome.sent] = nanoseconds_since(start, Clock::now());
            if (!protocol.send_request(outcome.sent)) break;
            ++outcome.sent;
            ++outstanding;
        }
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, kPollInterval);
        while (auto answer = protocol.receive_answer()) take(*answer);
    }
    outcome.measurement.elapsed_seconds =
        std::chrono::duration<double>(last_answer - start).count();

    // Answers that arrive after the last expected one can only be duplicates
    // or strays; listen briefly so that they are counted.
    const Clock::time_point grace_end = std::min(deadline, Clock::now() + kDuplicateGrace);
    while (Clock::now() < grace_end) {
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, kPollInterval);
        while (auto answer = protocol.receive_answer()) take(*answer);
    }
    outcome.missing = request_count - answered;
    outcome.measurement.latency = summarise_latencies(latencies_ns);
    return outcome;
}

PipelineOutcome run_fastqueue_load(zmq::context_t& context, const BenchOptions& options,
                                   const std::string& address, Clock::time_point deadline) {
    // The submission port for the chosen priority is base+priority.
    const auto colon = address.rfind(':');
    const int base_port = std::stoi(address.substr(colon + 1));
    const std::string port_address = address.substr(0, colon + 1) +
                                     std::to_string(base_port + static_cast<int>(options.priority));

    zmq::socket_t socket(context, zmq::socket_type::dealer);
    size_high_water_marks(socket, options.in_flight);
    socket.connect(port_address);

    const std::string prefix = random_task_id_prefix();
    PipelineProtocol protocol;
    protocol.send_request = [&](std::uint64_t index) {
        // Moved into its frame.
        auto* payload_text = new std::string(echo_payload_text(index, options.payload_bytes));
        protocol::Submit submit;
        submit.task_id = task_id_for(prefix, index);
        submit.task_name = options.task_name;
        submit.wants_result = !options.is_ack_only;
        submit.payload = zmq::message_t(
            payload_text->data(), payload_text->size(),
            [](void*, void* hint) { delete static_cast<std::string*>(hint); }, payload_text);
        protocol::Frames frames = protocol::encode(protocol::Message(std::move(submit)));
        auto sent = zmq::send_multipart(socket, frames, zmq::send_flags::dontwait);
        return sent.has_value();
    };
    protocol.receive_answer = [&]() -> std::optional<Answer> {
        auto frames = receive_frames(socket, protocol::kMaxBodyFrames);
        if (!frames) return std::nullopt;
        auto decoded = protocol::decode(*frames);
        Answer answer;
        auto name = [&](const std::string& task_id) {
            if (auto index = index_of(prefix, task_id)) {
                answer.index = *index;
                return true;
            }
            return false;
        };
        if (!decoded.message) {
            if (name(decoded.task_id)) answer.kind = Answer::Kind::refused;
            return answer;
        }
        auto& message = *decoded.message;
        if (auto* ack = std::get_if<protocol::Ack>(&message)) {
            if (name(ack->task_id)) {
                answer.kind = options.is_ack_only ? Answer::Kind::correct : Answer::Kind::progress;
            }
        } else if (auto* result = std::get_if<protocol::Result>(&message)) {
            if (name(result->record.task_id)) {
                const std::string_view given = result->record.result;
                const bool is_expected =
                    result->record.state == TaskState::success &&
                    (options.is_returning_input
                         ? is_echo_payload_text(given, answer.index, options.payload_bytes)
                         : is_quoted_echo_text(given, answer.index, options.payload_bytes));
                answer.kind = is_expected ? Answer::Kind::correct : Answer::Kind::wrong;
            }
        } else if (auto* refused = std::get_if<protocol::Refused>(&message)) {
            if (name(refused->task_id)) answer.kind = Answer::Kind::refused;
        } else if (auto* error = std::get_if<protocol::Error>(&message)) {
            if (name(error->task_id)) answer.kind = Answer::Kind::refused;
        }
        return answer;
    };
    return run_pipeline(socket, protocol, options.task_count, options.in_flight,
                        options.payload_bytes, deadline);
}

}  // namespace fastqueue::bench

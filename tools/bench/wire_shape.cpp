// wire_shape.cpp -- the shapes, the peer's responder and the client side of a
// wire-shape run.
#include "wire_shape.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <numeric>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <thread>
#include <zmq_addon.hpp>

#include "echo_peer.hpp"
#include "launch/process_status.hpp"
#include "protocol/codec.hpp"

namespace fastqueue::bench {

namespace {

using Kind = ShapeFrame::Kind;

// Byte 8 of an id frame: the answer's number (0, 1, ...) or, in a request, this.
constexpr unsigned char kRequestMark = 0xff;
constexpr std::size_t kIdBytes = 9;  // index (8) and mark (1)

// The frames the codec produces for `message`, as a shape: frame `id_frame`
// is the id, frame `payload_frame` (if any) the payload, the rest filler.
ShapeMessage shape_of(protocol::Message message, std::size_t id_frame,
                      std::optional<std::size_t> payload_frame) {
    ShapeMessage shape;
    const protocol::Frames frames = protocol::encode(std::move(message));
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const Kind kind = i == id_frame        ? Kind::id
                          : i == payload_frame ? Kind::payload
                                               : Kind::filler;
        shape.push_back({kind, frames[i].size()});
    }
    return shape;
}

std::size_t total_bytes(const ShapeMessage& message, std::uint64_t payload_bytes) {
    return std::accumulate(message.begin(), message.end(), std::size_t{0},
                           [&](std::size_t sum, const ShapeFrame& frame) {
                               return sum +
                                      (frame.kind == Kind::payload ? payload_bytes : frame.bytes);
                           });
}

// All of `message` in one frame, with a 4-byte length in front of each of its
// frames, as a length-prefixed encoding would need.
ShapeMessage packed(const ShapeMessage& message, std::uint64_t payload_bytes, std::uint32_t tasks) {
    const std::size_t bytes = total_bytes(message, payload_bytes) + 4 * message.size();
    return {{Kind::id, std::max(kIdBytes, bytes * tasks)}};
}

std::size_t position_of(const ShapeMessage& message, Kind kind) {
    auto it = std::find_if(message.begin(), message.end(),
                           [&](const ShapeFrame& frame) { return frame.kind == kind; });
    return static_cast<std::size_t>(it - message.begin());
}

// A shape's id frame is at one position in all its messages, so that an
// answer can be named before it is known which answer it is.
std::size_t checked_id_position(const WireShape& shape) {
    const std::size_t position = position_of(shape.request, Kind::id);
    for (const ShapeMessage& answer : shape.answers) {
        if (position >= shape.request.size() || position_of(answer, Kind::id) != position ||
            shape.request[position].bytes < kIdBytes) {
            throw std::logic_error("wire shape '" + shape.name + "' has no common id frame");
        }
    }
    return position;
}

zmq::message_t filled_frame(std::size_t bytes) {
    zmq::message_t frame(bytes);
    std::memset(frame.data(), 0, bytes);
    return frame;
}

zmq::message_t id_frame(std::size_t bytes, std::uint64_t index, unsigned char mark) {
    zmq::message_t frame = filled_frame(bytes);
    std::memcpy(frame.data(), &index, sizeof(index));
    static_cast<unsigned char*>(frame.data())[8] = mark;
    return frame;
}

// What an id frame says: the request's index and the answer's number.
struct IdFields {
    std::uint64_t index = 0;
    std::size_t mark = 0;  // the answer's number, or kRequestMark
};

// The id frame at `position` of `frames`, or std::nullopt when there is none
// that long.
std::optional<IdFields> read_id_frame(const std::vector<zmq::message_t>& frames,
                                      std::size_t position) {
    if (frames.size() <= position || frames[position].size() < kIdBytes) return std::nullopt;
    IdFields fields;
    std::memcpy(&fields.index, frames[position].data(), sizeof(fields.index));
    fields.mark = static_cast<const unsigned char*>(frames[position].data())[8];
    return fields;
}

// The peer's side: every answer of `shape` for the request in `frames`
// (routing id first).
void answer_request(const WireShape& shape, std::size_t id_position, zmq::socket_t& socket,
                    std::vector<zmq::message_t>& frames) {
    const std::size_t body = 1;  // frames[0] is the routing id
    if (frames.size() != body + shape.request.size()) return;
    const auto id = read_id_frame(frames, body + id_position);
    if (!id) return;
    const std::uint64_t index = id->index;
    const std::size_t payload_position = body + position_of(shape.request, Kind::payload);
    std::vector<zmq::message_t> out;
    for (std::size_t number = 0; number < shape.answers.size(); ++number) {
        const bool is_last = number + 1 == shape.answers.size();
        out.clear();
        out.push_back(is_last ? std::move(frames[0])
                              : zmq::message_t(frames[0].data(), frames[0].size()));
        for (const ShapeFrame& frame : shape.answers[number]) {
            switch (frame.kind) {
                case Kind::id:
                    out.push_back(id_frame(frame.bytes, index, static_cast<unsigned char>(number)));
                    break;
                case Kind::payload:
                    out.push_back(std::move(frames[payload_position]));
                    break;
                case Kind::filler:
                    out.push_back(filled_frame(frame.bytes));
                    break;
            }
        }
        zmq::send_multipart(socket, out);
    }
}

// The middle of a relayed shape, on its own thread: it answers each client
// request with the shape's first answer itself (FQ/1: the ACK), forwards the
// request to a worker peer that answers the whole shape, and passes the
// worker's final answer on to the client (the control plane's part when a
// subworker runs the task). One client: its routing id is kept from its
// first request.
class RelayPeer {
public:
    RelayPeer(zmq::context_t& context, const WireShape& shape, std::size_t id_position,
              std::uint32_t answers_in_flight, const std::string& worker_address)
        : front_(context, zmq::socket_type::router),
          back_(context, zmq::socket_type::dealer),
          shape_(shape),
          id_position_(id_position) {
        own_answer_ = shape;
        own_answer_.answers.resize(1);
        size_high_water_marks(front_, 2 * answers_in_flight);
        size_high_water_marks(back_, 2 * answers_in_flight);
        front_.bind("tcp://127.0.0.1:*");
        address_ = front_.get(zmq::sockopt::last_endpoint);
        back_.connect(worker_address);
        thread_ = std::thread([this] { serve(); });
    }
    ~RelayPeer() {
        is_stopping_ = true;
        thread_.join();
    }
    RelayPeer(const RelayPeer&) = delete;
    RelayPeer& operator=(const RelayPeer&) = delete;

    const std::string& address() const { return address_; }

private:
    void serve() {
        constexpr auto kPollInterval = std::chrono::milliseconds(10);
        while (!is_stopping_) {
            std::array<zmq::pollitem_t, 2> items = {
                zmq::pollitem_t{front_.handle(), 0, ZMQ_POLLIN, 0},
                zmq::pollitem_t{back_.handle(), 0, ZMQ_POLLIN, 0}};
            zmq::poll(items.data(), items.size(), kPollInterval);
            while (auto frames = receive_waiting(front_)) from_client(*frames);
            while (auto frames = receive_waiting(back_)) from_worker(*frames);
        }
    }

    void from_client(std::vector<zmq::message_t>& frames) {
        if (frames.empty()) return;
        if (client_routing_id_.size() == 0) client_routing_id_.copy(frames[0]);
        answer_request(own_answer_, id_position_, front_, frames);  // takes frames[0] only
        zmq::send_multipart(back_, std::ranges::subrange(frames.begin() + 1, frames.end()));
    }

    void from_worker(std::vector<zmq::message_t>& frames) {
        const auto id = read_id_frame(frames, id_position_);
        if (!id || id->mark + 1 != shape_.answers.size()) return;  // the worker's ACK stays here
        frames.insert(frames.begin(),
                      zmq::message_t(client_routing_id_.data(), client_routing_id_.size()));
        zmq::send_multipart(front_, frames);
    }

    zmq::socket_t front_;
    zmq::socket_t back_;
    const WireShape& shape_;
    WireShape own_answer_;  // shape_ with its first answer only
    std::size_t id_position_;
    zmq::message_t client_routing_id_;
    std::string address_;
    std::atomic<bool> is_stopping_{false};
    std::thread thread_;
};

}  // namespace

WireShape fq1_shape(std::uint64_t payload_bytes) {
    constexpr std::size_t kTaskIdFrame = 2;  // docs/protocol.md, "Common frames"
    const std::string task_id = "00000000-0000-4000-8000-000000000000";
    const std::string payload = echo_payload_text(0, payload_bytes);

    protocol::Submit submit;
    submit.task_id = task_id;
    submit.task_name = "echo";
    submit.wants_result = true;
    submit.payload = zmq::message_t(payload.data(), payload.size());

    TaskRecord record;  // a finished echo, as the control plane sends it
    record.task_id = task_id;
    record.task_name = "echo";
    record.state = TaskState::success;
    record.attempts = 1;
    record.worker_id = "bench-control-plane";
    record.submitted_at = record.started_at = record.finished_at = std::chrono::system_clock::now();
    record.result = '"' + echo_text(0, payload_bytes) + '"';

    WireShape shape;
    shape.name = "fq1";
    shape.description = "FQ/1: SUBMIT, then ACK and RESULT";
    shape.request = shape_of(protocol::Message(std::move(submit)), kTaskIdFrame, 5);
    shape.answers = {shape_of(protocol::Message(protocol::Ack{task_id}), kTaskIdFrame, {}),
                     shape_of(protocol::Message(protocol::Result{record}), kTaskIdFrame, 4)};
    return shape;
}

WireShape fq1_relayed_shape(std::uint64_t payload_bytes) {
    WireShape relayed = fq1_shape(payload_bytes);
    relayed.name = "fq1-relayed";
    relayed.description =
        "FQ/1 as through a subworker: a relay ACKs and forwards the SUBMIT to a worker, which "
        "answers ACK and RESULT; the relay passes the RESULT on";
    relayed.is_relayed = true;
    return relayed;
}

std::vector<WireShape> alternative_wire_shapes(std::uint64_t payload_bytes) {
    const WireShape fq1 = fq1_shape(payload_bytes);
    std::vector<WireShape> shapes{fq1};

    shapes.push_back(fq1_relayed_shape(payload_bytes));

    WireShape no_ack = fq1;
    no_ack.name = "fq1-no-ack";
    no_ack.description = "FQ/1 without the ACK: SUBMIT, then RESULT";
    no_ack.answers.erase(no_ack.answers.begin());
    shapes.push_back(no_ack);

    constexpr std::uint32_t kBatch = 16;
    for (const std::uint32_t tasks : {1u, kBatch}) {
        WireShape one_frame;
        one_frame.name = tasks == 1 ? "one-frame" : "one-frame-x16";
        one_frame.description =
            tasks == 1 ? "FQ/1's bytes, each message in one frame"
                       : "FQ/1's bytes, each message in one frame, 16 tasks per message";
        one_frame.tasks_per_message = tasks;
        one_frame.request = packed(fq1.request, payload_bytes, tasks);
        for (const ShapeMessage& answer : fq1.answers) {
            one_frame.answers.push_back(packed(answer, payload_bytes, tasks));
        }
        shapes.push_back(one_frame);
    }
    return shapes;
}

std::string reference_shape_name(const BenchOptions& options) {
    return options.is_spawning && options.cluster.subworker_count > 0 ? "fq1-relayed" : "fq1";
}

double WireShapeMeasurement::cpu_us_per_task() const {
    const double tasks = static_cast<double>(messages.measurement.completed) * tasks_per_message;
    return tasks > 0 ? cpu_seconds * 1e6 / tasks : 0;
}

WireShapeMeasurement run_wire_shape(zmq::context_t& context, const WireShape& shape,
                                    const BenchOptions& options,
                                    std::chrono::steady_clock::time_point deadline) {
    const std::size_t id_position = checked_id_position(shape);
    const std::uint32_t messages_in_flight =
        std::max(1u, options.in_flight / shape.tasks_per_message);
    const std::uint64_t message_count =
        (options.task_count + shape.tasks_per_message - 1) / shape.tasks_per_message;

    // The peer may hold every answer of every request in flight.
    const auto answers_in_flight =
        messages_in_flight * static_cast<std::uint32_t>(shape.answers.size());
    // Each peer has a ZeroMQ context (and so an I/O thread) of its own, as
    // the processes it stands for would: FastQueue's client, control plane
    // and subworker each have one. Declared before the peers, so that their
    // sockets close first.
    zmq::context_t peer_context;
    zmq::context_t relay_context;
    EchoPeer peer(peer_context, zmq::socket_type::router, answers_in_flight,
                  [&](zmq::socket_t& socket, std::vector<zmq::message_t>& frames) {
                      answer_request(shape, id_position, socket, frames);
                  });
    std::optional<RelayPeer> relay;
    if (shape.is_relayed)
        relay.emplace(relay_context, shape, id_position, answers_in_flight, peer.address());
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    size_high_water_marks(socket, messages_in_flight);
    socket.connect(relay ? relay->address() : peer.address());

    const ShapeMessage& final_answer = shape.answers.back();
    const std::size_t final_payload = position_of(final_answer, Kind::payload);
    PipelineProtocol protocol;
    protocol.send_request = [&](std::uint64_t index) {
        std::vector<zmq::message_t> frames;
        for (const ShapeFrame& frame : shape.request) {
            if (frame.kind == Kind::id) {
                frames.push_back(id_frame(frame.bytes, index, kRequestMark));
            } else if (frame.kind == Kind::payload) {
                const std::string text = echo_payload_text(index, options.payload_bytes);
                frames.emplace_back(text.data(), text.size());
            } else {
                frames.push_back(filled_frame(frame.bytes));
            }
        }
        return zmq::send_multipart(socket, frames, zmq::send_flags::dontwait).has_value();
    };
    protocol.receive_answer = [&]() -> std::optional<Answer> {
        auto received = receive_waiting(socket);
        if (!received) return std::nullopt;
        const std::vector<zmq::message_t>& frames = *received;
        Answer answer;
        const auto id = read_id_frame(frames, id_position);
        if (!id) return answer;  // unreadable
        answer.index = id->index;
        const std::size_t number = id->mark;
        if (number >= shape.answers.size() || frames.size() != shape.answers[number].size()) {
            return answer;  // unreadable
        }
        if (number + 1 < shape.answers.size()) {
            answer.kind = Answer::Kind::progress;
        } else {
            const bool is_expected = final_payload == final_answer.size() ||
                                     is_echo_payload_text(frames[final_payload].to_string_view(),
                                                          answer.index, options.payload_bytes);
            answer.kind = is_expected ? Answer::Kind::correct : Answer::Kind::wrong;
        }
        return answer;
    };

    WireShapeMeasurement measurement;
    measurement.name = shape.name;
    measurement.description = shape.description;
    measurement.tasks_per_message = shape.tasks_per_message;
    const double cpu_before = launch::read_cpu_seconds(::getpid()).value_or(0);
    measurement.messages = run_pipeline(socket, protocol, message_count, messages_in_flight,
                                        options.payload_bytes * shape.tasks_per_message, deadline);
    measurement.cpu_seconds = launch::read_cpu_seconds(::getpid()).value_or(0) - cpu_before;
    return measurement;
}

}  // namespace fastqueue::bench

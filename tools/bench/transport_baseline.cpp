// transport_baseline.cpp -- the baseline clients: pipelined echo, REQ/REP
// and the wire shapes, each against its own EchoPeer.
#include "transport_baseline.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>
#include <zmq_addon.hpp>

#include "echo_peer.hpp"
#include "launch/process_status.hpp"

namespace fastqueue::bench {

namespace {

using Clock = std::chrono::steady_clock;

PipelineOutcome run_pipelined_echo(zmq::context_t& context, const BenchOptions& options,
                                   Clock::time_point deadline) {
    EchoPeer peer(context, zmq::socket_type::router, options.in_flight);
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    size_high_water_marks(socket, options.in_flight);
    socket.connect(peer.address());

    PipelineProtocol protocol;
    protocol.send_request = [&](std::uint64_t index) {
        std::string text = echo_text(index, options.payload_bytes);
        std::array<zmq::message_t, 2> frames = {zmq::message_t(&index, sizeof(index)),
                                                zmq::message_t(text.data(), text.size())};
        return zmq::send_multipart(socket, frames, zmq::send_flags::dontwait).has_value();
    };
    protocol.receive_answer = [&]() -> std::optional<Answer> {
        auto received = receive_waiting(socket);
        if (!received) return std::nullopt;
        const std::vector<zmq::message_t>& frames = *received;
        Answer answer;
        if (frames.size() != 2 || frames[0].size() != sizeof(std::uint64_t)) return answer;
        std::memcpy(&answer.index, frames[0].data(), sizeof(answer.index));
        answer.kind = is_echo_text(frames[1].to_string_view(), answer.index, options.payload_bytes)
                          ? Answer::Kind::correct
                          : Answer::Kind::wrong;
        return answer;
    };
    return run_pipeline(socket, protocol, options.task_count, options.in_flight,
                        options.payload_bytes, deadline);
}

RunMeasurement run_request_reply(zmq::context_t& context, const BenchOptions& options,
                                 Clock::time_point deadline) {
    EchoPeer peer(context, zmq::socket_type::rep, 1);
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.connect(peer.address());
    // A bounded receive, so that a lost reply cannot hang the run.
    socket.set(zmq::sockopt::rcvtimeo, 5000);

    const std::uint64_t samples = std::min(options.task_count, kMaxRequestReplySamples);
    std::vector<std::uint64_t> latencies_ns;
    latencies_ns.reserve(samples);
    RunMeasurement measurement;
    measurement.payload_bytes = options.payload_bytes;
    const Clock::time_point start = Clock::now();
    for (std::uint64_t index = 0; index < samples && Clock::now() < deadline; ++index) {
        std::string text = echo_text(index, options.payload_bytes);
        const Clock::time_point sent_at = Clock::now();
        socket.send(zmq::buffer(text));
        zmq::message_t reply;
        if (!socket.recv(reply)) break;  // timed out: report what was measured
        latencies_ns.push_back(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent_at).count()));
        if (reply.to_string_view() == text) ++measurement.completed;
    }
    measurement.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    measurement.latency = summarise_latencies(latencies_ns);
    return measurement;
}

}  // namespace

bool BaselineMeasurement::is_valid() const {
    return (!pipelined_warmup || pipelined_warmup->is_valid()) && pipelined.is_valid() &&
           request_reply.completed > 0 &&
           std::all_of(wire_shapes.begin(), wire_shapes.end(),
                       [](const WireShapeMeasurement& shape) { return shape.messages.is_valid(); });
}

BaselineMeasurement run_transport_baseline(zmq::context_t& context, const BenchOptions& options,
                                           Clock::time_point deadline) {
    BaselineMeasurement baseline;
    if (options.warmup_task_count > 0) {
        baseline.pipelined_warmup = run_pipelined_echo(context, options.for_warmup(), deadline);
    }
    const double cpu_before = launch::read_cpu_seconds(::getpid()).value_or(0);
    baseline.pipelined = run_pipelined_echo(context, options, deadline);
    baseline.pipelined_cpu_seconds = launch::read_cpu_seconds(::getpid()).value_or(0) - cpu_before;
    baseline.request_reply = run_request_reply(context, options, deadline);
    std::vector<WireShape> shapes = {fq1_shape(options.payload_bytes)};
    if (options.is_comparing_wire_shapes) {
        shapes = alternative_wire_shapes(options.payload_bytes);
    } else if (reference_shape_name(options) != shapes.front().name) {
        shapes.push_back(fq1_relayed_shape(options.payload_bytes));
    }
    for (const WireShape& shape : shapes) {
        baseline.wire_shapes.push_back(run_wire_shape(context, shape, options, deadline));
    }
    return baseline;
}

}  // namespace fastqueue::bench

// wire_shape.hpp -- what ZeroMQ alone reaches on this machine when it carries
// a given message layout, with no processing at either end: the ceiling of
// any implementation of that layout.
//
// A shape is the request a client sends and the answers the peer sends back
// for it, each a list of frames. The peer (an EchoPeer thread in this
// process, with a ZeroMQ context of its own as a separate process would
// have) builds its answers from the request without reading it: filler frames are allocated at
// their size, the id frame is copied, the payload frame is moved. The client checks that every
// request got each of its answers, in order, and the final one exactly once with its payload.
// Shapes that carry several tasks per message count each message as that many tasks.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "bench_options.hpp"
#include "load_driver.hpp"

namespace fastqueue::bench {

struct ShapeFrame {
    enum class Kind {
        id,       // names the request: its index in the first 8 bytes, then the answer's number
        payload,  // the echoed text (request), moved back unchanged (final answer)
        filler,   // `bytes` bytes nobody reads
    };
    Kind kind = Kind::filler;
    std::size_t bytes = 0;  // id and filler; a payload frame has the payload's size
};

using ShapeMessage = std::vector<ShapeFrame>;

struct WireShape {
    std::string name;
    std::string description;
    std::uint32_t tasks_per_message = 1;
    ShapeMessage request;
    std::vector<ShapeMessage> answers;  // in the order sent; the last one is the final answer
    // Through a relay (as through a subworker): the relay sends the first
    // answer itself, forwards the request to the peer, and passes on only
    // the peer's final answer.
    bool is_relayed = false;
};

// FQ/1 as FastQueue speaks it for a task that runs on the control plane:
// SUBMIT, then ACK and RESULT, with the frame sizes the runtime's codec
// produces for this payload.
WireShape fq1_shape(std::uint64_t payload_bytes);

// FQ/1 as it crosses the control plane when a subworker runs the task: the
// client's SUBMIT, ACK and RESULT, and the control plane's SUBMIT to the
// subworker with its ACK and RESULT (is_relayed).
WireShape fq1_relayed_shape(std::uint64_t payload_bytes);

// The name of the shape a FastQueue run with these options is compared with:
// "fq1-relayed" when it spawned subworkers, else "fq1".
std::string reference_shape_name(const BenchOptions& options);

// fq1_shape and the layouts --wire-shapes compares it with: FQ/1 through a
// relay (the subworker path), the same bytes without the ACK, in one frame
// per message, and 16 tasks per message.
std::vector<WireShape> alternative_wire_shapes(std::uint64_t payload_bytes);

struct WireShapeMeasurement {
    std::string name;
    std::string description;
    std::uint32_t tasks_per_message = 1;
    PipelineOutcome messages;  // counted per request message
    double cpu_seconds = 0;    // this process (client and peer threads) during the run

    double tasks_per_second() const {
        return messages.measurement.tasks_per_second() * tasks_per_message;
    }
    double cpu_us_per_task() const;
};

// Sends options' task count (rounded up to whole messages) with options'
// in-flight count of tasks, through one ROUTER peer.
WireShapeMeasurement run_wire_shape(zmq::context_t& context, const WireShape& shape,
                                    const BenchOptions& options,
                                    std::chrono::steady_clock::time_point deadline);

}  // namespace fastqueue::bench

// transport_baseline.hpp -- the transport's own limit on this machine, in the
// same run as the FastQueue figures: plain ZeroMQ with no FastQueue code in
// the path, over TCP on 127.0.0.1.
//
//   pipelined: a DEALER sends [index, payload] with the same K in flight
//              through the same loop as the FastQueue load (load_driver.hpp)
//              to a ROUTER echo peer on its own thread, which sends each
//              message straight back.
//   req/rep:   a REQ socket and a REP echo peer, one message at a time: the
//              unloaded round-trip latency.
//   wire shapes: the pipelined loop again with FQ/1's frames (wire_shape.hpp),
//              the ceiling of any FQ/1 implementation here: "fq1", and
//              "fq1-relayed" when subworkers were spawned; with
//              --wire-shapes, every layout.
#pragma once

#include <chrono>
#include <optional>
#include <zmq.hpp>

#include "bench_options.hpp"
#include "load_driver.hpp"
#include "wire_shape.hpp"

namespace fastqueue::bench {

struct BaselineMeasurement {
    // With --warmup-tasks: the unmeasured round trips before `pipelined`.
    std::optional<PipelineOutcome> pipelined_warmup;
    PipelineOutcome pipelined;
    // CPU time (all threads of this process: the client and the echo peer)
    // used by the pipelined run.
    double pipelined_cpu_seconds = 0;
    RunMeasurement request_reply;
    // fq1 first, then fq1-relayed (with subworkers) or every other layout
    // (with --wire-shapes).
    std::vector<WireShapeMeasurement> wire_shapes;

    bool is_valid() const;
};

// Runs both baselines with options' task count (req/rep capped at
// kMaxRequestReplySamples), payload size and in-flight count.
BaselineMeasurement run_transport_baseline(zmq::context_t& context, const BenchOptions& options,
                                           std::chrono::steady_clock::time_point deadline);

inline constexpr std::uint64_t kMaxRequestReplySamples = 20000;

}  // namespace fastqueue::bench

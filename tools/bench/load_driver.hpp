// load_driver.hpp -- keeps a fixed number of requests in flight on one
// DEALER socket and accounts for every answer: the FastQueue load (SUBMIT
// with a RESULT wanted, through the runtime's codec) and the plain ZeroMQ
// echo baseline share this one loop, so both are measured the same way.
//
// One socket on one thread carries all K requests in flight: the protocol
// lets a client pipeline on one connection (every answer carries its id), and
// one thread leaves the second core to the servers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "bench_options.hpp"
#include "latency_stats.hpp"

namespace fastqueue::bench {

// What one answer meant, as the protocol-specific side reads it.
struct Answer {
    enum class Kind {
        progress,   // an intermediate answer (ACK): the request is still in flight
        correct,    // the final answer, and it is exactly what was expected
        wrong,      // the final answer, but not what was expected
        refused,    // the request was refused or rejected (REFUSED, ERROR)
        unreadable  // no request of this run can be named from it
    };
    Kind kind = Kind::unreadable;
    std::uint64_t index = 0;  // which request, when kind is not unreadable
};

// The protocol-specific half of a pipelined run.
struct PipelineProtocol {
    // Sends request `index` without blocking; false when the socket would block.
    std::function<bool(std::uint64_t index)> send_request;
    // Reads one waiting answer without blocking; std::nullopt when none waits.
    std::function<std::optional<Answer>()> receive_answer;
};

struct PipelineOutcome {
    RunMeasurement measurement;  // over correct answers only
    std::uint64_t requested = 0;
    std::uint64_t sent = 0;
    std::uint64_t wrong = 0;
    std::uint64_t duplicates = 0;  // a final answer for a request already answered
    std::uint64_t refused = 0;
    std::uint64_t unreadable = 0;
    std::uint64_t missing = 0;  // requests with no final answer by the deadline
    bool timed_out = false;

    // Every request answered exactly once, and correctly.
    bool is_valid() const {
        return measurement.completed == requested && wrong == 0 && duplicates == 0 &&
               refused == 0 && unreadable == 0 && missing == 0;
    }
    // One line naming what went wrong, empty when valid.
    std::string problems() const;
};

// Sends `request_count` requests with at most `in_flight` unanswered, until
// every one has its final answer or `deadline` passes, then listens a little
// longer for duplicate answers. `socket` is polled for readability.
PipelineOutcome run_pipeline(zmq::socket_t& socket, PipelineProtocol& protocol,
                             std::uint64_t request_count, std::uint32_t in_flight,
                             std::uint64_t payload_bytes,
                             std::chrono::steady_clock::time_point deadline);

// High-water marks for a socket that has at most `in_flight` requests out and
// at most two answers for each (ACK and RESULT): ZeroMQ never has to drop or
// block below these, by construction.
void size_high_water_marks(zmq::socket_t& socket, std::uint32_t in_flight);

// The frames of the next message waiting on `socket`, or std::nullopt when
// none waits (never blocks).
std::optional<std::vector<zmq::message_t>> receive_waiting(zmq::socket_t& socket);

// The string request `index` echoes: its index in decimal, ':', then 'x' up
// to exactly payload_bytes bytes.
std::string echo_text(std::uint64_t index, std::uint64_t payload_bytes);

// The SUBMIT payload of task `index`: {"args":["<echo_text>"],"kwargs":{}}.
std::string echo_payload_text(std::uint64_t index, std::uint64_t payload_bytes);

// Whether text is exactly echo_text(index, payload_bytes), that text as a
// JSON string ("<echo_text>"), or echo_payload_text(index, payload_bytes);
// each reads text in place, without building the expected text.
bool is_echo_text(std::string_view text, std::uint64_t index, std::uint64_t payload_bytes);
bool is_quoted_echo_text(std::string_view text, std::uint64_t index, std::uint64_t payload_bytes);
bool is_echo_payload_text(std::string_view text, std::uint64_t index, std::uint64_t payload_bytes);

// Submits options.task_count tasks to the control plane at `address` as
// options describe and checks every RESULT against the echoed text (with
// options.is_ack_only, every ACK instead).
PipelineOutcome run_fastqueue_load(zmq::context_t& context, const BenchOptions& options,
                                   const std::string& address,
                                   std::chrono::steady_clock::time_point deadline);

}  // namespace fastqueue::bench

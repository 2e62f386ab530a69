// bench_options.hpp -- the command line of fastqueue-bench, parsed once into
// a plain struct. Every loop the tool runs is bounded by tasks and by
// max_seconds, and every address it uses is on 127.0.0.1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fastqueue/task.hpp"
#include "launch/local_cluster.hpp"

namespace fastqueue::bench {

struct BenchOptions {
    // Where the load goes: a running control plane, or one the tool starts.
    std::string control_plane_address;  // empty: spawn one
    bool is_spawning = false;           // true when control_plane_address was not given
    // The spawned processes (worker ids "bench-control-plane", "bench-sw1",
    // ...); cluster.subworker_count is --spawn-subworkers, and
    // cluster.idle_subworker_count --idle-subworkers, which follow them.
    launch::ClusterOptions cluster;

    // The load.
    std::string task_name = "echo";
    std::uint64_t task_count = 10000;
    // Tasks run first, through the same path and checked the same way, but
    // not measured: the control plane's steady state (with 64 KiB payloads,
    // 5,000 fill the default result cache, so that every measured result
    // takes the memory of one evicted). The pipelined baseline runs as many
    // unmeasured round trips first.
    std::uint64_t warmup_task_count = 0;
    std::uint64_t payload_bytes = 32;  // size of the echoed string
    std::uint32_t in_flight = 100;
    Priority priority = Priority::normal;

    // Measure submission alone: SUBMIT without "wants result", and the ACK
    // is the answer (latency is submit -> ACK). For filling a queue behind a
    // busy handler, where no result would come back in time.
    bool is_ack_only = false;
    // The task returns its whole input unchanged (fq_test_ok's test_ok_echo)
    // rather than its first argument (mytasks' echo): a task with no JSON
    // handling of its own, to show the runtime's cost apart from the task's.
    bool is_returning_input = false;

    bool is_baseline = false;  // also measure the plain ZeroMQ baseline
    // Also measure the alternative wire shapes (wire_shape.hpp); implies is_baseline.
    bool is_comparing_wire_shapes = false;
    bool is_json = false;      // print one JSON object instead of the table
    double max_seconds = 120;  // bound on the whole run

    // These options for the warm-up run: warmup_task_count tasks, no warm-up.
    BenchOptions for_warmup() const {
        BenchOptions warmup = *this;
        warmup.task_count = warmup_task_count;
        warmup.warmup_task_count = 0;
        return warmup;
    }
};

// Parses argv. Prints help or an error and returns std::nullopt when the
// caller should exit (exit_code says with what).
std::optional<BenchOptions> parse_bench_options(int argc, char** argv, int& exit_code);

}  // namespace fastqueue::bench

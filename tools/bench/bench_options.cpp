// bench_options.cpp -- CLI11 wiring for BenchOptions. Defaults that depend on
// where the tool was installed (the `fastqueue` executable and the modules
// directory next to it in a build tree) are resolved here.
#include "bench_options.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "launch/cluster_flags.hpp"

namespace fastqueue::bench {

std::optional<BenchOptions> parse_bench_options(int argc, char** argv, int& exit_code) {
    BenchOptions options;
    std::string priority_text = "normal";
    CLI::App app{
        "fastqueue-bench: submits tasks to a FastQueue control plane with a fixed number in "
        "flight, checks every result, and reports throughput, latency and peak memory"};
    app.add_option("--control-plane-address", options.control_plane_address,
                   "Drive a running control plane at this base address (tcp://127.0.0.1:PORT) "
                   "instead of spawning one");
    app.add_option("--spawn-subworkers", options.cluster.subworker_count,
                   "Subworkers to start next to the spawned control plane")
        ->check(CLI::Range(0, 256));
    app.add_option("--task-modules", options.cluster.task_modules,
                   "--task-modules for spawned processes");
    launch::declare_cluster_flags(app, options.cluster);
    app.add_option("--task", options.task_name,
                   "Task to submit; its payload is an echo of a string")
        ->capture_default_str();
    app.add_option("--tasks", options.task_count, "Tasks to submit")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}))
        ->capture_default_str();
    app.add_option("--warmup-tasks", options.warmup_task_count,
                   "Tasks submitted and checked first but not measured (the steady state: e.g. "
                   "a full result cache); the pipelined baseline runs as many first")
        ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{100000000}))
        ->capture_default_str();
    app.add_option("--payload-bytes", options.payload_bytes, "Bytes of the echoed string")
        ->check(CLI::Range(std::uint64_t{16}, std::uint64_t{64} * 1024 * 1024))
        ->capture_default_str();
    app.add_option("--in-flight", options.in_flight, "Tasks submitted and not yet answered")
        ->check(CLI::Range(1u, 100000u))
        ->capture_default_str();
    app.add_option("--priority", priority_text, "critical, high, normal or low")
        ->capture_default_str();
    app.add_flag("--ack-only", options.is_ack_only,
                 "Count the ACK as the answer and ask for no RESULT (measures submission alone)");
    app.add_flag("--returns-input", options.is_returning_input,
                 "The task returns its whole payload unchanged (e.g. --task test_ok_echo "
                 "--task-modules fq_test_ok) instead of its first argument");
    app.add_flag("--baseline", options.is_baseline,
                 "Also measure plain ZeroMQ (DEALER->ROUTER echo, REQ/REP, and FQ/1's frames "
                 "with no processing) with the same load");
    app.add_flag("--wire-shapes", options.is_comparing_wire_shapes,
                 "With the baseline, also measure other message layouts than FQ/1's (no ACK, "
                 "one frame per message, 16 tasks per message) with no processing");
    app.add_flag("--json", options.is_json, "Print one JSON object instead of the table");
    app.add_option("--max-seconds", options.max_seconds, "Bound on the whole run, in seconds")
        ->check(CLI::Range(1.0, 86400.0))
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        exit_code = app.exit(error);
        return std::nullopt;
    }
    auto priority = parse_priority(priority_text);
    if (!priority) {
        std::cerr << "fastqueue-bench: invalid --priority '" << priority_text << "'\n";
        exit_code = 2;
        return std::nullopt;
    }
    options.priority = *priority;
    if (options.is_comparing_wire_shapes) options.is_baseline = true;
    options.is_spawning = options.control_plane_address.empty();
    if (!options.is_spawning &&
        (options.cluster.subworker_count > 0 || options.cluster.idle_subworker_count > 0)) {
        std::cerr << "fastqueue-bench: --spawn-subworkers and --idle-subworkers need a spawned "
                     "control plane (drop --control-plane-address)\n";
        exit_code = 2;
        return std::nullopt;
    }
    if (!options.is_spawning &&
        (!options.cluster.journal_dir.empty() || !options.cluster.journal_fsync.empty())) {
        std::cerr << "fastqueue-bench: --journal-dir and --journal-fsync need a spawned control "
                     "plane (drop --control-plane-address)\n";
        exit_code = 2;
        return std::nullopt;
    }
    options.cluster.name = "bench";
    launch::resolve_default_paths(options.cluster);
    return options;
}

}  // namespace fastqueue::bench

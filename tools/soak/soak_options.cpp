// soak_options.cpp -- CLI11 wiring for SoakOptions. Defaults that depend on
// where the tool was installed (the `fastqueue` executable and the modules
// directory next to it in a build tree) are resolved here.
#include "soak_options.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "launch/cluster_flags.hpp"

namespace fastqueue::soak {

namespace {

// Two, so that one is always up while the other is killed and restarted.
constexpr int kSubworkerCount = 2;

// The test plugin whose task counts its runs (task_mix.hpp).
const std::string kTraceModule = "fq_test_journal";

// "0.25" rather than std::to_string's "0.250000".
std::string format_seconds(double seconds) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", seconds);
    return text;
}

}  // namespace

std::optional<SoakOptions> parse_soak_options(int argc, char** argv, int& exit_code) {
    SoakOptions options;
    CLI::App app{
        "fastqueue-soak: starts a control plane and two subworkers, submits tasks through the "
        "client library with a fixed number in flight while killing a subworker (SIGKILL) and "
        "restarting it every few seconds, then checks that every task has exactly one correct "
        "final record"};
    app.add_option("--tasks", options.task_count, "Tasks to submit")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}))
        ->capture_default_str();
    app.add_option("--in-flight", options.in_flight,
                   "Tasks submitted and not yet finished (one client thread each)")
        ->check(CLI::Range(1u, 1024u))
        ->capture_default_str();
    app.add_option("--sleep-every", options.sleep_every,
                   "Every Nth task is sleep(--sleep-seconds), so that kills land mid-task; 0: none")
        ->capture_default_str();
    app.add_option("--sleep-seconds", options.sleep_seconds, "Seconds each sleep task takes")
        ->check(CLI::Range(0.0, 10.0))
        ->capture_default_str();
    app.add_option("--fail-every", options.fail_every,
                   "Every Nth task is fail(message), which must end as that failure; 0: none")
        ->capture_default_str();
    app.add_option("--kill-interval", options.kill_interval_seconds,
                   "Seconds between SIGKILLs of a subworker (they take turns); 0: no kills")
        ->check(CLI::Range(0.0, 3600.0))
        ->capture_default_str();
    app.add_option("--restart-delay", options.restart_delay_seconds,
                   "Seconds from a kill to the restart of that subworker (same id and ports)")
        ->check(CLI::Range(0.0, 3600.0))
        ->capture_default_str();
    app.add_flag("--kill-control-plane", options.is_killing_control_plane,
                 "SIGKILL the control plane instead, at random moments around --kill-interval, "
                 "and restart it on its journal (--journal-dir, default a directory the run "
                 "creates); every task appends to a trace file so that its runs are counted "
                 "(needs the fq_test_journal test plugin)");
    app.add_option("--control-plane-kills", options.control_plane_kills,
                   "With --kill-control-plane: how many kills; submitting stops one interval "
                   "after the last restart")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000}))
        ->capture_default_str();
    app.add_option("--max-seconds", options.max_seconds,
                   "Wall-time bound on submitting and waiting, from the first submission")
        ->check(CLI::Range(1.0, 7 * 86400.0))
        ->capture_default_str();
    app.add_option("--drain-seconds", options.drain_seconds,
                   "Further seconds the tasks still unfinished at --max-seconds may take")
        ->check(CLI::Range(0.0, 3600.0))
        ->capture_default_str();
    app.add_option("--max-queued", options.max_queued,
                   "--max-queued of the control plane (default: fastqueue's)");
    app.add_option("--result-cache-size", options.result_cache_size,
                   "--result-cache-size of the control plane; a record must be read before this "
                   "many later tasks finish")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}))
        ->capture_default_str();
    app.add_option("--heartbeat-interval", options.heartbeat_interval_seconds,
                   "--heartbeat-interval of the control plane, seconds (default: fastqueue's)")
        ->check(CLI::Range(0.0, 60.0));
    app.add_option("--heartbeat-liveness", options.heartbeat_liveness,
                   "--heartbeat-liveness of the control plane (default: fastqueue's)")
        ->check(CLI::Range(0, 100));
    app.add_option("--max-worker-losses", options.max_worker_losses,
                   "--max-worker-losses of the control plane (default: fastqueue's)")
        ->check(CLI::Range(0, 100));
    launch::declare_cluster_flags(app, options.cluster);
    app.add_option("--progress-seconds", options.progress_seconds,
                   "A progress line on stderr this often; 0: none")
        ->check(CLI::Range(0.0, 3600.0))
        ->capture_default_str();
    app.add_flag("--json", options.is_json, "Print one JSON object instead of the text report");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        exit_code = app.exit(error);
        return std::nullopt;
    }
    launch::ClusterOptions& cluster = options.cluster;
    cluster.name = "soak";
    cluster.subworker_count = kSubworkerCount;
    launch::resolve_default_paths(cluster);
    if (options.is_killing_control_plane) {
        if (options.kill_interval_seconds <= 0) {
            std::cerr << "fastqueue-soak: --kill-control-plane needs a --kill-interval above 0\n";
            exit_code = 2;
            return std::nullopt;
        }
        cluster.task_modules = kTraceModule;
        const auto module =
            std::filesystem::path(cluster.modules_dir) / ("lib" + kTraceModule + ".so");
        if (!std::filesystem::exists(module)) {
            std::cerr << "fastqueue-soak: --kill-control-plane needs " << module.string()
                      << " (a build with FASTQUEUE_BUILD_TESTS=ON)\n";
            exit_code = 2;
            return std::nullopt;
        }
    }
    auto& extra = cluster.extra_control_plane_arguments;
    extra.insert(extra.end(), {"--result-cache-size", std::to_string(options.result_cache_size)});
    if (options.max_queued > 0) {
        extra.insert(extra.end(), {"--max-queued", std::to_string(options.max_queued)});
    }
    if (options.heartbeat_interval_seconds > 0) {
        extra.insert(extra.end(),
                     {"--heartbeat-interval", format_seconds(options.heartbeat_interval_seconds)});
    }
    if (options.heartbeat_liveness > 0) {
        extra.insert(extra.end(),
                     {"--heartbeat-liveness", std::to_string(options.heartbeat_liveness)});
    }
    if (options.max_worker_losses > 0) {
        extra.insert(extra.end(),
                     {"--max-worker-losses", std::to_string(options.max_worker_losses)});
    }
    return options;
}

}  // namespace fastqueue::soak

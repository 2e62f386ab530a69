// main.cpp -- fastqueue-bench: parse the options, start the processes when
// asked to, run the unmeasured warm-up if asked, then the FastQueue load, stop the processes
// (reading their peak memory), run the transport baseline, report. Exits 0 only when every task and
// every baseline request was answered exactly once and correctly; 1 when not (the report says what
// was wrong); 2 for bad options.
#include <iostream>
#include <optional>
#include <zmq.hpp>

#include "bench_options.hpp"
#include "cpu_usage.hpp"
#include "launch/local_cluster.hpp"
#include "load_driver.hpp"
#include "report.hpp"
#include "transport_baseline.hpp"

int main(int argc, char** argv) {
    using namespace fastqueue::bench;
    int exit_code = 0;
    auto options = parse_bench_options(argc, argv, exit_code);
    if (!options) return exit_code;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(options->max_seconds));
    try {
        zmq::context_t context;
        BenchReport report;
        report.options = *options;
        {
            std::optional<fastqueue::launch::LocalCluster> launcher;
            if (options->is_spawning) launcher.emplace(options->cluster, deadline);
            report.control_plane_address =
                launcher ? launcher->control_plane_address() : options->control_plane_address;
            const std::vector<fastqueue::launch::SpawnedProcess> no_processes;
            const auto& spawned = launcher ? launcher->processes() : no_processes;
            if (options->warmup_task_count > 0) {
                report.warmup = run_fastqueue_load(context, options->for_warmup(),
                                                   report.control_plane_address, deadline);
            }
            const auto cpu_before = read_cpu_usage(spawned);
            report.fastqueue =
                run_fastqueue_load(context, *options, report.control_plane_address, deadline);
            report.load_cpu = cpu_used_between(cpu_before, read_cpu_usage(spawned));
            if (launcher) {
                // Stopped before the baseline runs, so that it has the machine
                // to itself as the FastQueue load had.
                launcher->stop_all();
                report.processes = launcher->processes();
            }
        }
        if (options->is_baseline)
            report.baseline = run_transport_baseline(context, *options, deadline);
        report.load_average = read_load_average();
        if (options->is_json) {
            std::cout << to_json(report).dump(2) << "\n";
        } else {
            std::cout << to_table(report);
        }
        if (!report.is_valid()) {
            std::cerr << "fastqueue-bench: the run does not count: " << report.problems() << "\n";
            return 1;
        }
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "fastqueue-bench: " << error.what() << "\n";
        return 1;
    }
}

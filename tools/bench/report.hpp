// report.hpp -- turns one benchmark run into the human table or the single
// JSON object (--json). Every FastQueue figure is also given as a ratio to
// the baseline when the baseline was measured.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "cpu_usage.hpp"
#include "launch/local_cluster.hpp"
#include "load_driver.hpp"
#include "transport_baseline.hpp"

namespace fastqueue::bench {

struct BenchReport {
    BenchOptions options;
    std::string control_plane_address;
    std::optional<PipelineOutcome> warmup;  // with --warmup-tasks: checked, not measured
    PipelineOutcome fastqueue;
    std::optional<BaselineMeasurement> baseline;
    std::vector<launch::SpawnedProcess> processes;  // empty when driving a running control plane
    std::string load_average;                       // /proc/loadavg when the run ended
    // CPU each process used during the FastQueue load (not the baseline):
    // the load generator first, then the spawned processes.
    std::vector<ProcessCpu> load_cpu;

    // The run counts: every task (warm-up included) and every baseline
    // request answered exactly once and correctly.
    bool is_valid() const;
    // One line naming what went wrong, empty when valid.
    std::string problems() const;
};

nlohmann::json to_json(const BenchReport& report);
std::string to_table(const BenchReport& report);

// The first three fields of /proc/loadavg ("1.49 2.89 6.30"), or "" when unreadable.
std::string read_load_average();

}  // namespace fastqueue::bench

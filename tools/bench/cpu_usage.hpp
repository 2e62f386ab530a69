// cpu_usage.hpp -- the CPU time each process of a run used while the load
// ran: the load generator itself and every process it spawned. On a shared
// machine the rate moves with everything else that runs, while the CPU a
// task costs moves much less; the two together say how far a rate is from
// what the cores could do (docs/benchmarks.md, "The CPU budget").
#pragma once

#include <string>
#include <vector>

#include "launch/local_cluster.hpp"

namespace fastqueue::bench {

struct ProcessCpu {
    std::string name;  // "load-generator", or a spawned process's name
    double seconds = 0;
};

// CPU time (user + system, all threads) used so far by this process (to the
// nanosecond) and by each running process in `spawned` (in clock ticks,
// from /proc), in that order.
std::vector<ProcessCpu> read_cpu_usage(const std::vector<launch::SpawnedProcess>& spawned);

// What each process used from `before` to `after` (matched by name; a
// process missing from either is left out).
std::vector<ProcessCpu> cpu_used_between(const std::vector<ProcessCpu>& before,
                                         const std::vector<ProcessCpu>& after);

}  // namespace fastqueue::bench

// cpu_usage.cpp -- see cpu_usage.hpp.
#include "cpu_usage.hpp"

#include <time.h>

#include "launch/process_status.hpp"

namespace fastqueue::bench {

namespace {

// This process's CPU time in nanoseconds' resolution: /proc counts clock
// ticks (10 ms), and a short run of the load generator can use less than one.
double own_cpu_seconds() {
    timespec used{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
    return static_cast<double>(used.tv_sec) + static_cast<double>(used.tv_nsec) * 1e-9;
}

}  // namespace

std::vector<ProcessCpu> read_cpu_usage(const std::vector<launch::SpawnedProcess>& spawned) {
    std::vector<ProcessCpu> usage;
    usage.push_back({"load-generator", own_cpu_seconds()});
    for (const auto& process : spawned) {
        if (process.pid < 0) continue;
        if (auto seconds = launch::read_cpu_seconds(process.pid)) {
            usage.push_back({process.name, *seconds});
        }
    }
    return usage;
}

std::vector<ProcessCpu> cpu_used_between(const std::vector<ProcessCpu>& before,
                                         const std::vector<ProcessCpu>& after) {
    std::vector<ProcessCpu> used;
    for (const auto& end : after) {
        for (const auto& start : before) {
            if (start.name == end.name) used.push_back({end.name, end.seconds - start.seconds});
        }
    }
    return used;
}

}  // namespace fastqueue::bench

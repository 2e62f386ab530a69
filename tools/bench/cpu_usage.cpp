// cpu_usage.cpp -- see cpu_usage.hpp.
#include "cpu_usage.hpp"

#include <unistd.h>

#include "launch/process_status.hpp"

namespace fastqueue::bench {

std::vector<ProcessCpu> read_cpu_usage(const std::vector<launch::SpawnedProcess>& spawned) {
    std::vector<ProcessCpu> usage;
    if (auto own = launch::read_cpu_seconds(::getpid())) usage.push_back({"load-generator", *own});
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

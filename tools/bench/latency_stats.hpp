// latency_stats.hpp -- what one measured run produced: its duration, how many
// round trips completed, and the distribution of their latencies. Shared by
// the FastQueue load driver and the transport baseline so that both are
// summarised the same way.
#pragma once

#include <cstdint>
#include <vector>

namespace fastqueue::bench {

struct LatencySummary {
    std::uint64_t p50_ns = 0;
    std::uint64_t p90_ns = 0;
    std::uint64_t p99_ns = 0;
    std::uint64_t p999_ns = 0;
    std::uint64_t max_ns = 0;
};

struct RunMeasurement {
    std::uint64_t completed = 0;      // round trips that came back correct
    std::uint64_t payload_bytes = 0;  // per round trip, one direction
    double elapsed_seconds = 0;       // first send to last answer
    LatencySummary latency;

    double tasks_per_second() const {
        return elapsed_seconds > 0 ? static_cast<double>(completed) / elapsed_seconds : 0;
    }
    double bytes_per_second() const {
        return tasks_per_second() * static_cast<double>(payload_bytes);
    }
};

// Nearest-rank percentiles of latencies_ns (sorted in place). All zero when
// the vector is empty.
LatencySummary summarise_latencies(std::vector<std::uint64_t>& latencies_ns);

}  // namespace fastqueue::bench

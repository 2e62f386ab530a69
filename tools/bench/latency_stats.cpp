// latency_stats.cpp -- nearest-rank percentiles over every sample (no
// histogram buckets, so p99.9 of a short run is an observed value).
#include "latency_stats.hpp"

#include <algorithm>
#include <cmath>

namespace fastqueue::bench {

namespace {

// The sample at nearest rank ceil(fraction * n), 1-based.
std::uint64_t at_fraction(const std::vector<std::uint64_t>& sorted, double fraction) {
    auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

}  // namespace

LatencySummary summarise_latencies(std::vector<std::uint64_t>& latencies_ns) {
    LatencySummary summary;
    if (latencies_ns.empty()) return summary;
    std::sort(latencies_ns.begin(), latencies_ns.end());
    summary.p50_ns = at_fraction(latencies_ns, 0.50);
    summary.p90_ns = at_fraction(latencies_ns, 0.90);
    summary.p99_ns = at_fraction(latencies_ns, 0.99);
    summary.p999_ns = at_fraction(latencies_ns, 0.999);
    summary.max_ns = latencies_ns.back();
    return summary;
}

}  // namespace fastqueue::bench

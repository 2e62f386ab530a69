// backoff.cpp -- see backoff.hpp.
#include "common/backoff.hpp"

#include <algorithm>

namespace fastqueue {

std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base, std::uint32_t attempt,
                                        std::chrono::milliseconds cap, double jitter,
                                        std::mt19937& random) {
    // Doubling stops at the cap, so the loop is short and nothing overflows.
    auto delay = std::min(base, cap);
    for (std::uint32_t i = 1; i < attempt && delay < cap; ++i) delay = std::min(delay * 2, cap);
    std::uniform_real_distribution<double> factor(1.0 - jitter, 1.0 + jitter);
    const double scaled = static_cast<double>(delay.count()) * factor(random);
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(scaled, 0.0)));
}

}  // namespace fastqueue

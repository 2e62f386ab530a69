// backoff.hpp -- exponential backoff with jitter, for everything in
// FastQueue that tries again: task retries and subworker registration.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace fastqueue {

// The wait before try number `attempt` + 1 (attempt counts from 1: the wait
// after the first failure is `base`): base * 2^(attempt-1), at most `cap`,
// then scaled by a factor drawn uniformly from [1 - jitter, 1 + jitter] so
// that many waiters do not all try again at once. The result is never
// negative and never above cap * (1 + jitter). jitter is in [0, 1].
std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base, std::uint32_t attempt,
                                        std::chrono::milliseconds cap, double jitter,
                                        std::mt19937& random);

}  // namespace fastqueue

// backoff_test.cpp -- backoff_delay: doubling from the base, the cap, and
// jitter within its bounds.
#include "common/backoff.hpp"

#include <doctest/doctest.h>

using namespace fastqueue;
using namespace std::chrono_literals;

TEST_CASE("backoff_delay: without jitter the wait doubles from the base up to the cap") {
    std::mt19937 random(1);
    CHECK(backoff_delay(100ms, 1, 1000ms, 0.0, random) == 100ms);
    CHECK(backoff_delay(100ms, 2, 1000ms, 0.0, random) == 200ms);
    CHECK(backoff_delay(100ms, 4, 1000ms, 0.0, random) == 800ms);
    CHECK(backoff_delay(100ms, 5, 1000ms, 0.0, random) == 1000ms);
    CHECK(backoff_delay(100ms, 4000000000u, 1000ms, 0.0, random) == 1000ms);
    CHECK(backoff_delay(5000ms, 1, 1000ms, 0.0, random) == 1000ms);
}

TEST_CASE("backoff_delay: jitter spreads the wait within [1 - j, 1 + j] of it") {
    std::mt19937 random(7);
    bool is_below = false;
    bool is_above = false;
    for (int i = 0; i < 200; ++i) {
        const auto delay = backoff_delay(1000ms, 1, 60000ms, 0.5, random);
        CHECK(delay >= 500ms);
        CHECK(delay <= 1500ms);
        is_below = is_below || delay < 1000ms;
        is_above = is_above || delay > 1000ms;
    }
    CHECK(is_below);
    CHECK(is_above);
}

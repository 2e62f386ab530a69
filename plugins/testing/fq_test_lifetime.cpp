// fq_test_lifetime -- tasks for the end-to-end tests of timeouts and retries.
//
//   lifetime.flaky(key, failures)  fails retryably the first `failures` times
//                                  it runs with `key` (counted in this
//                                  process), then returns how many runs it took
//   lifetime.retryable(message)    always fails retryably with `message`
//   lifetime.stubborn(seconds)     sleeps, ignoring cancellation, then returns
//   lifetime.limited(seconds)      sleeps, honouring cancellation; registered
//                                  with a default timeout of 500 ms
#include <chrono>
#include <fastqueue/plugin.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace {

using fastqueue::plugin::RetryableError;
using fastqueue::plugin::TaskContext;
using fastqueue::plugin::TaskDefaults;

constexpr double kMaxSleepSeconds = 60.0;

std::mutex runs_mutex;
std::map<std::string, int> runs_by_key;  // guarded by runs_mutex

int flaky(const std::string& key, int failures) {
    int run = 0;
    {
        std::lock_guard<std::mutex> lock(runs_mutex);
        run = ++runs_by_key[key];
    }
    if (run <= failures) {
        throw RetryableError("attempt " + std::to_string(run) + " of '" + key + "' failed");
    }
    return run;
}

[[noreturn]] void retryable(const std::string& message) { throw RetryableError(message); }

std::chrono::duration<double> checked_seconds(double seconds) {
    if (!(seconds >= 0.0 && seconds <= kMaxSleepSeconds))
        throw std::invalid_argument("seconds must be in [0, 60]");
    return std::chrono::duration<double>(seconds);
}

double stubborn(double seconds) {
    std::this_thread::sleep_for(checked_seconds(seconds));
    return seconds;
}

double limited(TaskContext& context, double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + checked_seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        context.throw_if_cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return seconds;
}

}  // namespace

FASTQUEUE_PLUGIN("fq_test_lifetime", "1.0.0") {
    plugin.task("lifetime.flaky", "Fails retryably the first N runs per key", flaky,
                {"key", "failures"});
    plugin.task("lifetime.retryable", "Always fails retryably", retryable, {"message"});
    plugin.task("lifetime.stubborn", "Sleeps and ignores cancellation", stubborn, {"seconds"});
    plugin.task("lifetime.limited", "Sleeps; default timeout 500 ms", limited, {"seconds"},
                TaskDefaults{std::chrono::milliseconds(500)});
}

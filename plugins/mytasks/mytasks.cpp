// mytasks -- the example FastQueue plugin that every document uses, and the
// template to copy for a new plugin. It uses the C++ wrapper
// (fastqueue/plugin.hpp) and is built with fastqueue_add_plugin() like any
// plugin built out of tree.
//
// Tasks. Input is {"args": [...], "kwargs": {...}}; every parameter may also be
// given by the name shown.
//   add(x, y)       x, y: numbers. Returns x + y. Two integers give an integer
//                   (a sum that does not fit in 64 bits is an error); otherwise
//                   a float (a sum that is not finite is an error).
//                   add(2, 3) -> 5, add(2.5, 1) -> 3.5.
//   echo(value)     value: any JSON value. Returns it unchanged.
//   sleep(seconds)  seconds: a number in [0, 86400]. Sleeps that long, checking
//                   for cancellation every 5 ms and reporting progress; returns
//                   seconds as given. A cancelled sleep ends as "cancelled".
//   fail(message)   message: a string. Always ends as a task error whose
//                   message is exactly `message`.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fastqueue/plugin.hpp>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using fastqueue::plugin::json;
using fastqueue::plugin::Number;
using fastqueue::plugin::TaskContext;

// The exact sum of two 64-bit integers (each signed or unsigned), as a signed
// integer when it fits, else as an unsigned one; anything larger is an error.
// __builtin_add_overflow computes in infinite precision, so there is no UB.
template <class A, class B>
json checked_integer_sum(A x, B y) {
    std::int64_t signed_sum = 0;
    if (!__builtin_add_overflow(x, y, &signed_sum)) return signed_sum;
    std::uint64_t unsigned_sum = 0;
    if (!__builtin_add_overflow(x, y, &unsigned_sum)) return unsigned_sum;
    throw std::overflow_error("integer overflow: " + std::to_string(x) + " + " + std::to_string(y) +
                              " does not fit in 64 bits");
}

json add_integers(const json& x, const json& y) {
    if (x.is_number_unsigned()) {
        const auto a = x.get<std::uint64_t>();
        return y.is_number_unsigned() ? checked_integer_sum(a, y.get<std::uint64_t>())
                                      : checked_integer_sum(a, y.get<std::int64_t>());
    }
    const auto a = x.get<std::int64_t>();
    return y.is_number_unsigned() ? checked_integer_sum(a, y.get<std::uint64_t>())
                                  : checked_integer_sum(a, y.get<std::int64_t>());
}

Number add(const Number& x, const Number& y) {
    if (x.is_integer() && y.is_integer()) return Number(add_integers(x.value(), y.value()));
    const double sum = x.as_double() + y.as_double();
    if (!std::isfinite(sum))
        throw std::overflow_error("float overflow: " + x.value().dump() + " + " + y.value().dump() +
                                  " is not finite");
    return Number(sum);
}

// Taken by value: the wrapper moves the argument in, and returning it moves
// it out, so a large value is never copied.
json echo(json value) { return value; }

constexpr double kMaxSleepSeconds = 86400.0;
// Half the 10 ms the runtime allows between cancellation checks.
constexpr auto kCancelPollInterval = std::chrono::milliseconds(5);
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

Number sleep_seconds(TaskContext& context, const Number& seconds) {
    const double duration_seconds = seconds.as_double();
    if (!(duration_seconds >= 0.0 && duration_seconds <= kMaxSleepSeconds))
        throw std::invalid_argument(
            "argument 1 ('seconds'): expected a number in [0, 86400], got " +
            seconds.value().dump());
    using Clock = std::chrono::steady_clock;
    const auto total = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(duration_seconds));
    const auto start = Clock::now();
    const auto deadline = start + total;
    auto next_progress = start + kProgressInterval;
    for (;;) {
        context.throw_if_cancelled();
        const auto now = Clock::now();
        if (now >= deadline) break;
        if (now >= next_progress) {
            context.report_progress(std::chrono::duration<double>(now - start).count() /
                                    duration_seconds);
            next_progress = now + kProgressInterval;
        }
        std::this_thread::sleep_for(std::min<Clock::duration>(kCancelPollInterval, deadline - now));
    }
    return seconds;
}

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

}  // namespace

FASTQUEUE_PLUGIN("mytasks", "1.0.0") {
    plugin.task("add", "Adds two numbers; integers stay integers", add, {"x", "y"});
    plugin.task("echo", "Returns its argument unchanged", echo, {"value"});
    plugin.task("sleep", "Sleeps for a number of seconds, then returns it", sleep_seconds,
                {"seconds"});
    plugin.task("fail", "Always fails with the given message", fail, {"message"});
}

// task_option_flags.cpp -- see task_option_flags.hpp.
#include "cli/task_option_flags.hpp"

#include <cmath>
#include <cstdio>

namespace fastqueue::cli {
namespace {

bool is_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

// Seconds from a flag as milliseconds; throws invalid_argument naming the
// flag when the value is negative or not finite. Range checks against the
// protocol's limits happen in the client library.
std::chrono::milliseconds seconds_flag(double seconds, const char* flag) {
    if (!std::isfinite(seconds) || seconds < 0.0 || seconds > 1e9) {
        throw ClientError(ClientErrorKind::invalid_argument,
                          std::string(flag) + " must be a non-negative number of seconds");
    }
    return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view text) {
    // "YYYY-MM-DDTHH:MM:SS" is 19 characters; then fraction and zone.
    if (text.size() < 20) return std::nullopt;
    std::string_view date_time = text.substr(0, 19);
    if (date_time[10] != 'T' && date_time[10] != 't' && date_time[10] != ' ') return std::nullopt;
    std::string_view rest = text.substr(19);
    std::string fraction;
    if (!rest.empty() && rest.front() == '.') {
        std::size_t digits = 1;
        while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
        fraction = std::string(rest.substr(1, digits - 1));
        if (fraction.empty() || fraction.size() > 6) return std::nullopt;
        rest.remove_prefix(digits);
    }
    fraction.resize(6, '0');
    int offset_minutes = 0;
    if (rest == "Z" || rest == "z") {
        offset_minutes = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
               is_digits(rest.substr(1, 2)) && is_digits(rest.substr(4, 2))) {
        const int hours = std::stoi(std::string(rest.substr(1, 2)));
        const int minutes = std::stoi(std::string(rest.substr(4, 2)));
        if (hours > 23 || minutes > 59) return std::nullopt;
        offset_minutes = (rest[0] == '+' ? 1 : -1) * (hours * 60 + minutes);
    } else {
        return std::nullopt;
    }
    // The canonical form parse_timestamp() reads, which checks every field.
    std::string canonical(date_time);
    canonical[10] = 'T';
    canonical += "." + fraction + "Z";
    auto local = parse_timestamp(canonical);
    if (!local || *local == Timestamp{}) return std::nullopt;
    return *local - std::chrono::minutes(offset_minutes);
}

void TaskOptionFlags::declare(CLI::App& subcommand) {
    subcommand.add_option("--task-timeout", task_timeout_seconds,
                          "Run-time limit of each attempt in seconds (0: the task's plugin "
                          "default, else the control plane's --default-task-timeout); not "
                          "--timeout, which bounds how long this command waits");
    subcommand.add_option("--max-retries", max_retries,
                          "Times a failure the task marks retryable is tried again (default 0)");
    subcommand.add_option("--retry-backoff", retry_backoff_seconds,
                          "Base of the exponential backoff between attempts in seconds "
                          "(default 1; each wait at most 300 s, with jitter)");
    subcommand.add_option("--countdown", countdown_seconds,
                          "Hold the task this many seconds before it may run");
    subcommand.add_option("--eta", eta,
                          "Hold the task until this ISO-8601 time, e.g. 2026-11-28T09:30:00Z");
}

TaskOptions TaskOptionFlags::to_options() const {
    TaskOptions options;
    options.task_timeout = seconds_flag(task_timeout_seconds, "--task-timeout");
    options.retry_backoff = seconds_flag(retry_backoff_seconds, "--retry-backoff");
    options.countdown = seconds_flag(countdown_seconds, "--countdown");
    options.max_retries = max_retries;
    if (!eta.empty()) {
        options.eta = parse_iso8601(eta);
        if (!options.eta) {
            throw ClientError(ClientErrorKind::invalid_argument,
                              "--eta '" + eta +
                                  "' is not an ISO-8601 time with a zone, such as "
                                  "2026-11-28T09:30:00Z or 2026-11-28T10:30:00+01:00");
        }
    }
    return options;
}

}  // namespace fastqueue::cli

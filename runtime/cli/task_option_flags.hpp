// task_option_flags.hpp -- the `fastqueue submit` flags that bound a task's
// life (--task-timeout, --max-retries, --retry-backoff, --countdown, --eta)
// and how they become the client library's TaskOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fastqueue/client.hpp"

namespace fastqueue::cli {

struct TaskOptionFlags {
    double task_timeout_seconds = 0.0;
    unsigned max_retries = 0;
    double retry_backoff_seconds = 0.0;
    double countdown_seconds = 0.0;
    std::string eta;  // empty: not given

    // Declares the flags on the subcommand.
    void declare(CLI::App& subcommand);

    // The options, after a successful parse; throws ClientError
    // (invalid_argument) naming the flag when a value is out of range or
    // --eta is not an ISO-8601 time.
    TaskOptions to_options() const;
};

// Parses an ISO-8601 date and time with a UTC designator or offset:
// YYYY-MM-DDTHH:MM:SS, optionally .fraction (up to 6 digits), then Z or
// +HH:MM / -HH:MM ('T' may also be a space). std::nullopt for anything else,
// including a time with no zone (it would mean different instants on
// different machines).
std::optional<Timestamp> parse_iso8601(std::string_view text);

}  // namespace fastqueue::cli

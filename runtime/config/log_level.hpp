// log_level.hpp -- the names of the log levels as users write them
// (--log-level, FASTQUEUE_LOG_LEVEL, log_level in the config file) and their
// mapping to LogLevel. The names are lower case and match spdlog's.
#pragma once

#include <optional>
#include <string_view>

#include "config/settings.hpp"

namespace fastqueue {

// "trace", "debug", "info", "warn", "error" or "off" (exactly, lower case);
// std::nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view name);

// The name parse_log_level accepts for `level`.
std::string_view log_level_name(LogLevel level);

// "trace|debug|info|warn|error|off", for help texts and error messages.
std::string_view log_level_choices();

}  // namespace fastqueue

// logging.hpp -- sets up the process's log: one line per event on stderr,
// UTC timestamps, the level and the role, through spdlog.
#pragma once

#include <string>

namespace fastqueue {

// The least severe level a process logs (config/log_level.hpp names them).
enum class LogLevel { trace, debug, info, warn, error, off };

// Replaces the default logger with a stderr logger named after the role
// (e.g. "control-plane") at the given level. Call once, early in main.
void configure_logging(const std::string& role, LogLevel level);

}  // namespace fastqueue

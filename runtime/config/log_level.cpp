// log_level.cpp -- one table from level names to LogLevel, read both ways, so
// that the parser and the printer cannot disagree.
#include "config/log_level.hpp"

#include <array>
#include <utility>

namespace fastqueue {

namespace {

constexpr std::array<std::pair<std::string_view, LogLevel>, 6> kLevelNames = {{
    {"trace", LogLevel::trace},
    {"debug", LogLevel::debug},
    {"info", LogLevel::info},
    {"warn", LogLevel::warn},
    {"error", LogLevel::error},
    {"off", LogLevel::off},
}};

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name) {
    for (const auto& [level_name, level] : kLevelNames) {
        if (level_name == name) return level;
    }
    return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
    for (const auto& [level_name, known_level] : kLevelNames) {
        if (known_level == level) return level_name;
    }
    return "info";  // unreachable while kLevelNames covers every enumerator
}

std::string_view log_level_choices() { return "trace|debug|info|warn|error|off"; }

}  // namespace fastqueue

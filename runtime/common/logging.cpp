// logging.cpp -- see logging.hpp.
#include "common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace fastqueue {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::trace:
            return spdlog::level::trace;
        case LogLevel::debug:
            return spdlog::level::debug;
        case LogLevel::info:
            return spdlog::level::info;
        case LogLevel::warn:
            return spdlog::level::warn;
        case LogLevel::error:
            return spdlog::level::err;
        case LogLevel::off:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

}  // namespace

void configure_logging(const std::string& role, LogLevel level) {
    auto logger = spdlog::stderr_logger_mt("fastqueue-" + role);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l [%n] %v", spdlog::pattern_time_type::utc);
    logger->set_level(to_spdlog(level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace fastqueue

// engine_keys.cpp -- the engine's key table: each key's spec and validator,
// side by side, in the order the documentation lists them.
#include "config/engine_keys.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <utility>

#include "config/log_level.hpp"
#include "config/value_parsers.hpp"

namespace fastqueue::config {

EngineSettings default_engine_settings() {
    EngineSettings settings;
    const std::size_t cores = std::thread::hardware_concurrency();
    settings.concurrency = std::clamp<std::size_t>(cores, 1, kMaxConcurrency);
    return settings;
}

IsolationOptions isolation_options(const EngineSettings& engine, std::uint64_t max_payload_bytes) {
    IsolationOptions options;
    options.mode = engine.isolation;
    options.kill_grace = std::chrono::milliseconds(engine.kill_grace_ms);
    options.command.max_payload_bytes = max_payload_bytes;
    options.command.memory_limit_bytes = engine.task_memory_limit_bytes;
    options.command.core_dumps = engine.task_core_dumps;
    options.command.log_level = std::string(log_level_name(engine.log_level));
    return options;
}

ConfigKey<EngineSettings> concurrency_key(std::size_t min_concurrency, std::string help) {
    return {{.name = "concurrency",
             .value_name = "N",
             .default_text = "number of cores",
             .help = std::move(help),
             .kind = ValueKind::integer},
            [min_concurrency](const RawValue& value, EngineSettings& settings) {
                settings.concurrency = static_cast<std::size_t>(
                    integer_in_range(value, static_cast<std::int64_t>(min_concurrency),
                                     static_cast<std::int64_t>(kMaxConcurrency)));
            }};
}

std::vector<ConfigKey<EngineSettings>> engine_keys() {
    std::vector<ConfigKey<EngineSettings>> keys;

    keys.push_back({{.name = "task-modules",
                     .value_name = "NAMES",
                     .default_text = "(none)",
                     .help = "Task plugins to load: names or paths (a name with '/' is a path), "
                             "space- or comma-separated; the flag is repeatable",
                     .kind = ValueKind::name_list},
                    [](const RawValue& value, EngineSettings& settings) {
                        // Splitting already dropped empty names; an empty list
                        // is allowed (a control plane without plugins).
                        settings.task_modules = value.items;
                    }});

    keys.push_back({{.name = "modules-dir",
                     .value_name = "DIR",
                     .default_text = "(none)",
                     .help = "Directory searched for task modules, before FASTQUEUE_MODULES_PATH; "
                             "the flag is repeatable (colon-separated in the environment)",
                     .kind = ValueKind::path_list},
                    [](const RawValue& value, EngineSettings& settings) {
                        for (const auto& dir : value.items) {
                            if (dir.empty()) {
                                throw invalid_value(value.source, dir, "must be a directory path");
                            }
                        }
                        settings.modules_dirs = value.items;
                    }});

    keys.push_back(concurrency_key(1, "Handler threads that run tasks"));

    keys.push_back({{.name = "log-level",
                     .value_name = "LEVEL",
                     .default_text = "info",
                     .help = "Least severe log messages written to stderr: " +
                             std::string(log_level_choices()),
                     .kind = ValueKind::string},
                    [](const RawValue& value, EngineSettings& settings) {
                        auto level = parse_log_level(value.text());
                        if (!level) {
                            throw invalid_value(
                                value.source, value.text(),
                                "must be one of " + std::string(log_level_choices()));
                        }
                        settings.log_level = *level;
                    }});

    keys.push_back({{.name = "shutdown-grace",
                     .value_name = "SECONDS",
                     .default_text = "30",
                     .help = "On SIGINT or SIGTERM, how long running tasks may take to finish "
                             "before their cancel flags are raised",
                     .kind = ValueKind::number},
                    [](const RawValue& value, EngineSettings& settings) {
                        auto seconds = parse_number(value.text());
                        if (!seconds || !std::isfinite(*seconds) || *seconds < 0 ||
                            *seconds > kMaxShutdownGraceSeconds) {
                            throw invalid_value(value.source, value.text(),
                                                "must be a number of seconds from 0 to 1000000000");
                        }
                        settings.shutdown_grace_seconds = *seconds;
                    }});

    keys.push_back({{.name = "isolation",
                     .value_name = "MODE",
                     .default_text = "process",
                     .help = "Where task handlers run: process (each handler slot is a child "
                             "process, so a crashing task fails alone) or thread (in this "
                             "process: faster, but a crashing task takes the role down)",
                     .kind = ValueKind::string},
                    [](const RawValue& value, EngineSettings& settings) {
                        auto isolation = parse_isolation(value.text());
                        if (!isolation) {
                            throw invalid_value(value.source, value.text(),
                                                "must be process or thread");
                        }
                        settings.isolation = *isolation;
                    }});

    keys.push_back({{.name = "kill-grace",
                     .value_name = "SECONDS",
                     .default_text = "1",
                     .help = "With --isolation process: how long a task may run on after it was "
                             "cancelled or timed out before its process is killed",
                     .kind = ValueKind::number},
                    [](const RawValue& value, EngineSettings& settings) {
                        settings.kill_grace_ms =
                            milliseconds_in_range(value, 0, kMaxKillGraceSeconds, "0 to 3600");
                    }});

    keys.push_back({{.name = "task-memory-limit",
                     .value_name = "BYTES",
                     .default_text = "0 (none)",
                     .help = "With --isolation process: the address space each task process may "
                             "use; a task that needs more fails, saying so",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, EngineSettings& settings) {
                        const auto bytes = integer_in_range(value, 0);
                        if (bytes > 0 && bytes < static_cast<std::int64_t>(kMinTaskMemoryLimit)) {
                            throw invalid_value(value.source, value.text(),
                                                "must be 0 (no limit) or at least " +
                                                    std::to_string(kMinTaskMemoryLimit) +
                                                    " bytes (64 MiB)");
                        }
                        settings.task_memory_limit_bytes = static_cast<std::uint64_t>(bytes);
                    }});

    keys.push_back({{.name = "task-core-dumps",
                     .value_name = "on/off",
                     .default_text = "off",
                     .help = "With --isolation process: whether a crashing task process may "
                             "write a core file (as the system's core pattern says)",
                     .kind = ValueKind::string},
                    [](const RawValue& value, EngineSettings& settings) {
                        if (value.text() != "on" && value.text() != "off") {
                            throw invalid_value(value.source, value.text(), "must be on or off");
                        }
                        settings.task_core_dumps = value.text() == "on";
                    }});

    return keys;
}

}  // namespace fastqueue::config

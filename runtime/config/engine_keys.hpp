// engine_keys.hpp -- the keys every role that runs tasks shares (the control
// plane now, the subworker next): which plugins to load and from where, how
// many handler threads, the log level and the shutdown grace period. Declared
// once here for EngineSettings; a role lifts them into its own settings with
// lift_keys(engine_keys(), &RoleSettings::engine).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config_key.hpp"
#include "config/settings.hpp"

namespace fastqueue::config {

// --concurrency accepts 1..kMaxConcurrency handler threads (a control
// plane also 0: concurrency_key()).
inline constexpr std::size_t kMaxConcurrency = 1024;

// --concurrency from min_concurrency to kMaxConcurrency, with `help` as its
// meaning: engine_keys() holds it with 1 (a subworker must run tasks); the
// control plane replaces it with 0 (it may run none itself).
ConfigKey<EngineSettings> concurrency_key(std::size_t min_concurrency, std::string help);

// Upper bound of --shutdown-grace, so that the grace period always fits a
// std::chrono duration in nanoseconds (about 31 years).
inline constexpr double kMaxShutdownGraceSeconds = 1e9;
// --kill-grace accepts 0..kMaxKillGraceSeconds.
inline constexpr double kMaxKillGraceSeconds = 3600;
// --task-memory-limit accepts 0 (none) or at least this many bytes: a task
// process needs more than that to start.
inline constexpr std::uint64_t kMinTaskMemoryLimit = 64ull * 1024 * 1024;

// How a role's engine runs handlers, from its settings; max_payload_bytes is
// the role's --max-payload-bytes (the largest payload and result).
IsolationOptions isolation_options(const EngineSettings& engine, std::uint64_t max_payload_bytes);

// The defaults: EngineSettings as declared, with concurrency set to the
// number of cores (std::thread::hardware_concurrency(); 1 when unknown,
// kMaxConcurrency at most).
EngineSettings default_engine_settings();

// task-modules, modules-dir, concurrency, log-level, shutdown-grace.
std::vector<ConfigKey<EngineSettings>> engine_keys();

}  // namespace fastqueue::config

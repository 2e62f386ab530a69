// Tests of runtime/config/engine_keys.cpp and the reuse it exists for: a role
// other than the control plane lifts the engine keys into its own settings
// and gets the same flags, environment variables, file keys and checks.
#include "config/engine_keys.hpp"

#include <doctest/doctest.h>

#include "config/command_line_layer.hpp"
#include "config/layering.hpp"
#include "config/value_parsers.hpp"
#include "config_test_support.hpp"

namespace fastqueue::config {
namespace {

// A stand-in for the next role's settings: some keys of its own, plus the engine.
struct OtherRoleSettings {
    std::string peer = "none";
    EngineSettings engine;
};

OtherRoleSettings resolve_other_role(const std::vector<std::string>& args,
                                     const EnvironmentLookup& environment) {
    std::vector<ConfigKey<OtherRoleSettings>> keys = {
        {{.name = "peer", .value_name = "NAME", .default_text = "none", .help = "A peer"},
         [](const RawValue& value, OtherRoleSettings& settings) { settings.peer = value.text(); }}};
    for (auto& key : lift_keys(engine_keys(), &OtherRoleSettings::engine)) keys.push_back(key);
    std::vector<const KeySpec*> specs = specs_of(keys);
    specs.push_back(&config_file_key());

    CLI::App app("other-role");
    CommandLineLayer command_line(app, specs);
    std::vector<const char*> argv = {"other-role"};
    for (const auto& arg : args) argv.push_back(arg.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());

    OtherRoleSettings settings;
    settings.engine = default_engine_settings();
    apply_layered_values(keys, layer_values(specs, command_line, environment), settings);
    return settings;
}

TEST_CASE("engine_keys: another role reuses them, layered and validated the same way") {
    testing::TempTomlFile file("peer = \"from-file\"\nconcurrency = 6\n");
    auto settings =
        resolve_other_role({"--config", file.path(), "--task-modules", "a,b"},
                           testing::fake_environment({{"FASTQUEUE_LOG_LEVEL", "debug"}}));
    CHECK(settings.peer == "from-file");
    CHECK(settings.engine.concurrency == 6);
    CHECK(settings.engine.task_modules == std::vector<std::string>{"a", "b"});
    CHECK(settings.engine.log_level == LogLevel::debug);

    CHECK_THROWS_WITH_AS(resolve_other_role({"--concurrency", "0"}, testing::fake_environment()),
                         "invalid value '0' for --concurrency: must be an integer from 1 to 1024",
                         ConfigError);
}

TEST_CASE("default_engine_settings: one handler thread per core, within 1..1024") {
    EngineSettings settings = default_engine_settings();
    CHECK(settings.concurrency >= 1);
    CHECK(settings.concurrency <= kMaxConcurrency);
    CHECK(settings.log_level == LogLevel::info);
    CHECK(settings.shutdown_grace_seconds == 30.0);
}

TEST_CASE("engine_keys: process isolation by default, 1 s kill grace, no memory limit, no cores") {
    const EngineSettings settings = resolve_other_role({}, testing::fake_environment()).engine;
    CHECK(settings.isolation == Isolation::process);
    CHECK(settings.kill_grace_ms == 1000);
    CHECK(settings.task_memory_limit_bytes == 0);
    CHECK_FALSE(settings.task_core_dumps);
}

TEST_CASE("engine_keys: the isolation keys take their values from flags, environment and file") {
    const auto flags =
        resolve_other_role({"--isolation", "thread", "--kill-grace", "0.25", "--task-memory-limit",
                            "67108864", "--task-core-dumps", "on"},
                           testing::fake_environment())
            .engine;
    CHECK(flags.isolation == Isolation::thread);
    CHECK(flags.kill_grace_ms == 250);
    CHECK(flags.task_memory_limit_bytes == kMinTaskMemoryLimit);
    CHECK(flags.task_core_dumps);

    const auto environment =
        resolve_other_role({}, testing::fake_environment({{"FASTQUEUE_ISOLATION", "process"},
                                                          {"FASTQUEUE_KILL_GRACE", "3600"},
                                                          {"FASTQUEUE_TASK_MEMORY_LIMIT", "0"},
                                                          {"FASTQUEUE_TASK_CORE_DUMPS", "off"}}))
            .engine;
    CHECK(environment.isolation == Isolation::process);
    CHECK(environment.kill_grace_ms == 3600 * 1000);
    CHECK(environment.task_memory_limit_bytes == 0);
    CHECK_FALSE(environment.task_core_dumps);

    testing::TempTomlFile file(
        "isolation = \"thread\"\nkill_grace = 0\ntask_memory_limit = 1073741824\n"
        "task_core_dumps = \"on\"\n");
    const auto from_file =
        resolve_other_role({"--config", file.path()}, testing::fake_environment()).engine;
    CHECK(from_file.isolation == Isolation::thread);
    CHECK(from_file.kill_grace_ms == 0);
    CHECK(from_file.task_memory_limit_bytes == 1024ull * 1024 * 1024);
    CHECK(from_file.task_core_dumps);
}

// The message resolving `--KEY VALUE` fails with; "" when it does not.
std::string engine_key_error(const std::string& key, const std::string& value) {
    try {
        resolve_other_role({"--" + key, value}, testing::fake_environment());
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

TEST_CASE("engine_keys: the isolation keys refuse bad values, saying what they accept") {
    const std::string modes = "must be process or thread";
    CHECK(engine_key_error("isolation", "threads") ==
          "invalid value 'threads' for --isolation: " + modes);
    CHECK(engine_key_error("isolation", "Process") ==
          "invalid value 'Process' for --isolation: " + modes);

    const std::string seconds = "must be a number of seconds from 0 to 3600";
    for (const std::string value : {"-0.001", "3600.5", "nan", "inf", "soon"}) {
        CAPTURE(value);
        CHECK(engine_key_error("kill-grace", value) ==
              "invalid value '" + value + "' for --kill-grace: " + seconds);
    }

    const std::string too_small = "must be 0 (no limit) or at least 67108864 bytes (64 MiB)";
    for (const std::string value : {"1", "4096", "67108863"}) {
        CAPTURE(value);
        CHECK(engine_key_error("task-memory-limit", value) ==
              "invalid value '" + value + "' for --task-memory-limit: " + too_small);
    }
    for (const std::string value : {"-1", "64MiB", "1.5"}) {
        CAPTURE(value);
        CHECK(engine_key_error("task-memory-limit", value) ==
              "invalid value '" + value + "' for --task-memory-limit: must be an integer >= 0");
    }

    for (const std::string value : {"yes", "true", "ON", "1"}) {
        CAPTURE(value);
        CHECK(engine_key_error("task-core-dumps", value) ==
              "invalid value '" + value + "' for --task-core-dumps: must be on or off");
    }

    CHECK_THROWS_WITH_AS(
        resolve_other_role({}, testing::fake_environment({{"FASTQUEUE_ISOLATION", "none"}})),
        "invalid value 'none' for FASTQUEUE_ISOLATION: must be process or thread", ConfigError);
}

TEST_CASE("isolation_options: the engine's settings and the role's payload limit, mapped") {
    EngineSettings settings;
    settings.isolation = Isolation::process;
    settings.kill_grace_ms = 2500;
    settings.task_memory_limit_bytes = 128ull * 1024 * 1024;
    settings.task_core_dumps = true;
    settings.log_level = LogLevel::debug;
    const IsolationOptions options = isolation_options(settings, 12345);
    CHECK(options.mode == Isolation::process);
    CHECK(options.kill_grace == std::chrono::milliseconds(2500));
    CHECK(options.command.max_payload_bytes == 12345);
    CHECK(options.command.memory_limit_bytes == 128ull * 1024 * 1024);
    CHECK(options.command.core_dumps);
    CHECK(options.command.log_level == "debug");
    // The engine fills in the plugins; the executable is this process's own.
    CHECK(options.command.plugin_paths.empty());
    CHECK(options.command.executable == "/proc/self/exe");

    settings.isolation = Isolation::thread;
    settings.task_core_dumps = false;
    settings.log_level = LogLevel::warn;
    const IsolationOptions threads = isolation_options(settings, 1);
    CHECK(threads.mode == Isolation::thread);
    CHECK_FALSE(threads.command.core_dumps);
    CHECK(threads.command.log_level == "warn");
}

}  // namespace
}  // namespace fastqueue::config

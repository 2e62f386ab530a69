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

}  // namespace
}  // namespace fastqueue::config

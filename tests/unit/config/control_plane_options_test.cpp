// Tests of runtime/config/control_plane_options.cpp: the control plane's
// settings as a user gets them from `fastqueue control-plane` flags, FASTQUEUE_
// environment variables, a --config TOML file and the seed's defaults.
#include "config/control_plane_options.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <sstream>
#include <thread>

#include "config_test_support.hpp"

namespace fastqueue {
namespace {

using testing::config_error_of;
using testing::fake_environment;
using testing::resolve_control_plane;
using testing::TempTomlFile;

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ",") + item;
    return text;
}

std::string env_name_of(const std::string& key) {
    std::string env = "FASTQUEUE_" + key;
    std::transform(env.begin(), env.end(), env.begin(), [](unsigned char c) {
        return c == '-' ? '_' : static_cast<char>(std::toupper(c));
    });
    return env;
}

std::string toml_key_of(const std::string& key) {
    std::string toml = key;
    std::replace(toml.begin(), toml.end(), '-', '_');
    return toml;
}

TEST_CASE("ControlPlaneOptions: with nothing given, every setting is the seed's default") {
    ControlPlaneSettings settings = resolve_control_plane({});
    CHECK(settings.worker_id == "control-plane");
    CHECK(settings.base_address == "tcp://127.0.0.1:5555");
    CHECK(settings.discovery_address == "tcp://127.0.0.1:5550");
    CHECK_FALSE(settings.subworker_port.has_value());
    CHECK(effective_subworker_port(settings) == 5560);
    CHECK(settings.result_cache_size == 10000);
    CHECK(settings.result_cache_bytes == 256 * 1024 * 1024);
    CHECK(settings.result_cache_ttl_seconds == 3600);
    CHECK(settings.engine.task_modules.empty());
    CHECK(settings.engine.modules_dirs.empty());
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    CHECK(settings.engine.concurrency == std::min<std::size_t>(cores, 1024));
    CHECK(settings.engine.log_level == LogLevel::info);
    CHECK(settings.engine.shutdown_grace_seconds == 30.0);
    CHECK(settings.max_subworkers == 1024);
    CHECK(settings.inactive_subworker_ttl_seconds == 3600);
    CHECK(settings.journal_dir.empty());
    CHECK(settings.journal_fsync == JournalFsync::always);
    CHECK(settings.journal_segment_bytes == 64ull * 1024 * 1024);
}

TEST_CASE("ControlPlaneOptions: --journal-fsync takes always, never or milliseconds 1..60000") {
    CHECK(resolve_control_plane({"--journal-fsync", "never"}).journal_fsync == JournalFsync::never);
    for (const std::string ms : {"1", "50", "60000"}) {
        CAPTURE(ms);
        const auto settings = resolve_control_plane({"--journal-fsync", ms});
        CHECK(settings.journal_fsync == JournalFsync::interval);
        CHECK(std::to_string(settings.journal_fsync_interval_ms) == ms);
    }
    CHECK(resolve_control_plane({"--journal-segment-bytes", "1048576"}).journal_segment_bytes ==
          1048576);
}

TEST_CASE("ControlPlaneOptions: the seed's example command line is accepted as written") {
    ControlPlaneSettings settings = resolve_control_plane(
        {"--worker-id", "control-plane", "--base-address", "tcp://127.0.0.1:5555",
         "--discovery-address", "tcp://127.0.0.1:5550", "--result-cache-size", "10000",
         "--result-cache-ttl", "3600", "--task-modules", "mytasks"});
    CHECK(settings.engine.task_modules == std::vector<std::string>{"mytasks"});
}

// One row per key: a distinct valid value for each layer and how the
// resulting setting reads, so that each key's precedence is checked alone.
struct PrecedenceCase {
    std::string key;
    std::string cli_text;
    std::string env_text;
    std::string toml_literal;
    std::string file_shown;  // how the setting reads when the file's value wins
    std::function<std::string(const ControlPlaneSettings&)> shown;
};

std::string number_shown(double number) {
    std::ostringstream text;
    text << number;
    return text.str();
}

std::vector<PrecedenceCase> precedence_cases() {
    return {
        {"worker-id", "from-cli", "from-env", "\"from-file\"", "from-file",
         [](const ControlPlaneSettings& s) { return s.worker_id; }},
        {"base-address", "tcp://127.0.0.1:7000", "tcp://127.0.0.1:7100", "\"tcp://127.0.0.1:7200\"",
         "tcp://127.0.0.1:7200", [](const ControlPlaneSettings& s) { return s.base_address; }},
        {"discovery-address", "tcp://127.0.0.1:7001", "tcp://127.0.0.1:7101",
         "\"tcp://127.0.0.1:7201\"", "tcp://127.0.0.1:7201",
         [](const ControlPlaneSettings& s) { return s.discovery_address; }},
        {"subworker-port", "6001", "6002", "6003", "6003",
         [](const ControlPlaneSettings& s) {
             return std::to_string(s.subworker_port.value_or(0));
         }},
        {"result-cache-size", "11", "12", "13", "13",
         [](const ControlPlaneSettings& s) { return std::to_string(s.result_cache_size); }},
        {"result-cache-bytes", "31", "32", "33", "33",
         [](const ControlPlaneSettings& s) { return std::to_string(s.result_cache_bytes); }},
        {"result-cache-ttl", "21", "22", "23", "23",
         [](const ControlPlaneSettings& s) { return std::to_string(s.result_cache_ttl_seconds); }},
        {"task-modules", "cli_mod", "env_mod", "[\"file_mod\"]", "file_mod",
         [](const ControlPlaneSettings& s) { return joined(s.engine.task_modules); }},
        {"modules-dir", "/cli/modules", "/env/modules", "[\"/file/modules\"]", "/file/modules",
         [](const ControlPlaneSettings& s) { return joined(s.engine.modules_dirs); }},
        {"concurrency", "3", "4", "5", "5",
         [](const ControlPlaneSettings& s) { return std::to_string(s.engine.concurrency); }},
        {"log-level", "debug", "warn", "\"error\"", "error",
         [](const ControlPlaneSettings& s) {
             switch (s.engine.log_level) {
                 case LogLevel::trace:
                     return std::string("trace");
                 case LogLevel::debug:
                     return std::string("debug");
                 case LogLevel::info:
                     return std::string("info");
                 case LogLevel::warn:
                     return std::string("warn");
                 case LogLevel::error:
                     return std::string("error");
                 case LogLevel::off:
                     return std::string("off");
             }
             return std::string("?");
         }},
        {"shutdown-grace", "1.5", "2.5", "3.5", "3.5",
         [](const ControlPlaneSettings& s) {
             return number_shown(s.engine.shutdown_grace_seconds);
         }},
        {"max-subworkers", "4", "5", "6", "6",
         [](const ControlPlaneSettings& s) { return std::to_string(s.max_subworkers); }},
        {"inactive-subworker-ttl", "7", "8", "9", "9",
         [](const ControlPlaneSettings& s) {
             return std::to_string(s.inactive_subworker_ttl_seconds);
         }},
        {"journal-dir", "/cli/journal", "/env/journal", "\"/file/journal\"", "/file/journal",
         [](const ControlPlaneSettings& s) { return s.journal_dir; }},
        {"journal-fsync", "never", "25", "\"40\"", "40",
         [](const ControlPlaneSettings& s) {
             switch (s.journal_fsync) {
                 case JournalFsync::always:
                     return std::string("always");
                 case JournalFsync::never:
                     return std::string("never");
                 case JournalFsync::interval:
                     return std::to_string(s.journal_fsync_interval_ms);
             }
             return std::string("?");
         }},
        {"journal-segment-bytes", "2097152", "3145728", "4194304", "4194304",
         [](const ControlPlaneSettings& s) { return std::to_string(s.journal_segment_bytes); }},
    };
}

TEST_CASE(
    "ControlPlaneOptions: for every key, command line beats environment beats file beats default") {
    for (const auto& row : precedence_cases()) {
        CAPTURE(row.key);
        TempTomlFile file(toml_key_of(row.key) + " = " + row.toml_literal + "\n");
        const std::vector<std::string> config_args = {"--config", file.path()};
        auto environment = fake_environment({{env_name_of(row.key), row.env_text}});

        std::vector<std::string> all_args = config_args;
        all_args.insert(all_args.end(), {"--" + row.key, row.cli_text});
        CHECK(row.shown(resolve_control_plane(all_args, environment)) == row.cli_text);
        CHECK(row.shown(resolve_control_plane(config_args, environment)) == row.env_text);
        CHECK(row.shown(resolve_control_plane(config_args)) == row.file_shown);

        const std::string default_shown = row.shown(resolve_control_plane({}));
        CHECK(default_shown != row.file_shown);
    }
}

// One row per bad value; `toml_literal` is empty where TOML cannot even carry
// the value with the key's type (that case is a type error, tested below).
struct BadValueCase {
    std::string key;
    std::string value;
    std::string toml_literal;
    std::string reason_fragment;
    bool is_env_case = true;  // false for "": an empty variable counts as unset
};

const char* const kFsyncReason =
    "must be always, never or a number of milliseconds from 1 to 60000";

const char* const kSegmentReason = "must be an integer from 1048576 to 2147483648";

std::vector<BadValueCase> bad_value_cases() {
    const std::string id_reason = "must be 1 to 128 characters of A-Z a-z 0-9 _ . : -";
    const std::string long_id(129, 'a');
    return {
        {"worker-id", "bad id!", "\"bad id!\"", id_reason},
        {"worker-id", long_id, "\"" + long_id + "\"", id_reason},
        {"base-address", "tcp://127.0.0.1:65531", "\"tcp://127.0.0.1:65531\"",
         "port 65531 leaves no room for the port map (PORT+5 must be <= 65535)"},
        {"base-address", "http://127.0.0.1:5555", "\"http://127.0.0.1:5555\"", "tcp://"},
        {"base-address", "tcp://127.0.0.1:0", "\"tcp://127.0.0.1:0\"", "65535"},
        {"discovery-address", "tcp://127.0.0.1", "\"tcp://127.0.0.1\"", "port"},
        {"discovery-address", "tcp://127.0.0.1:70000", "\"tcp://127.0.0.1:70000\"", "65535"},
        {"subworker-port", "0", "0", "must be an integer from 1 to 65535"},
        {"subworker-port", "65536", "65536", "must be an integer from 1 to 65535"},
        {"subworker-port", "port", "", "must be an integer from 1 to 65535"},
        {"result-cache-size", "-5", "-5", "must be an integer >= 1"},
        {"result-cache-size", "0", "0", "must be an integer >= 1"},
        {"result-cache-size", "10x", "", "must be an integer >= 1"},
        {"result-cache-size", "1.5", "", "must be an integer >= 1"},
        {"result-cache-size", " 10", "", "must be an integer >= 1"},
        {"result-cache-size", "99999999999999999999", "", "must be an integer >= 1"},
        {"result-cache-bytes", "-1", "-1", "must be an integer >= 0"},
        {"result-cache-bytes", "256MiB", "", "must be an integer >= 0"},
        {"result-cache-bytes", "1.5", "", "must be an integer >= 0"},
        {"result-cache-ttl", "0", "0", "must be an integer from 1 to 1000000000"},
        {"result-cache-ttl", "-3600", "-3600", "must be an integer from 1 to 1000000000"},
        {"concurrency", "-1", "-1", "must be an integer from 0 to 1024"},
        {"concurrency", "1025", "1025", "must be an integer from 0 to 1024"},
        {"log-level", "verbose", "\"verbose\"", "must be one of trace|debug|info|warn|error|off"},
        {"shutdown-grace", "-1", "-1", "must be a number of seconds from 0 to 1000000000"},
        {"shutdown-grace", "inf", "inf", "must be a number of seconds from 0 to 1000000000"},
        {"shutdown-grace", "nan", "nan", "must be a number of seconds from 0 to 1000000000"},
        {"shutdown-grace", "soon", "", "must be a number of seconds from 0 to 1000000000"},
        {"modules-dir", "", "\"\"", "must be a directory path", false},
        {"max-subworkers", "0", "0", "must be an integer from 1 to 100000"},
        {"max-subworkers", "100001", "100001", "must be an integer from 1 to 100000"},
        {"max-subworkers", "many", "", "must be an integer from 1 to 100000"},
        {"inactive-subworker-ttl", "0", "0", "must be an integer from 1 to 2592000"},
        {"inactive-subworker-ttl", "2592001", "2592001", "must be an integer from 1 to 2592000"},
        {"inactive-subworker-ttl", "1.5", "", "must be an integer from 1 to 2592000"},
        {"journal-dir", "", "\"\"", "must name a directory", false},
        {"journal-fsync", "sometimes", "\"sometimes\"", kFsyncReason},
        {"journal-fsync", "0", "\"0\"", kFsyncReason},
        {"journal-fsync", "60001", "\"60001\"", kFsyncReason},
        {"journal-fsync", "50ms", "\"50ms\"", kFsyncReason},
        {"journal-fsync", "Always", "\"Always\"", kFsyncReason},
        {"journal-segment-bytes", "1048575", "1048575", kSegmentReason},
        {"journal-segment-bytes", "2147483649", "2147483649", kSegmentReason},
        {"journal-segment-bytes", "64MiB", "", kSegmentReason},
    };
}

void check_bad_value_message(const std::string& message, const std::string& value,
                             const std::string& source, const std::string& reason_fragment) {
    const std::string prefix = "invalid value '" + value + "' for " + source + ": ";
    CHECK_MESSAGE(message.rfind(prefix, 0) == 0, "message: ", message,
                  "\nexpected prefix: ", prefix);
    CHECK_MESSAGE(message.find(reason_fragment) != std::string::npos, "message: ", message);
}

TEST_CASE(
    "ControlPlaneOptions: a bad value from any layer is an error naming key, source and value") {
    for (const auto& row : bad_value_cases()) {
        CAPTURE(row.key);
        CAPTURE(row.value);
        check_bad_value_message(config_error_of({"--" + row.key, row.value}), row.value,
                                "--" + row.key, row.reason_fragment);
        if (row.is_env_case) {
            const std::string env = env_name_of(row.key);
            check_bad_value_message(config_error_of({}, fake_environment({{env, row.value}})),
                                    row.value, env, row.reason_fragment);
        }
        if (!row.toml_literal.empty()) {
            TempTomlFile file(toml_key_of(row.key) + " = " + row.toml_literal + "\n");
            check_bad_value_message(config_error_of({"--config", file.path()}), row.value,
                                    file.path() + ": " + toml_key_of(row.key), row.reason_fragment);
        }
    }
}

TEST_CASE("ControlPlaneOptions: a negative cache size reads the same from every layer") {
    CHECK(config_error_of({"--result-cache-size", "-5"}) ==
          "invalid value '-5' for --result-cache-size: must be an integer >= 1");
    CHECK(config_error_of({}, fake_environment({{"FASTQUEUE_RESULT_CACHE_SIZE", "-5"}})) ==
          "invalid value '-5' for FASTQUEUE_RESULT_CACHE_SIZE: must be an integer >= 1");
    TempTomlFile file("result_cache_size = -5\n");
    CHECK(config_error_of({"--config", file.path()}) ==
          "invalid value '-5' for " + file.path() + ": result_cache_size: must be an integer >= 1");
}

TEST_CASE("ControlPlaneOptions: a result cache byte limit of 0 is accepted and means no limit") {
    CHECK(resolve_control_plane({"--result-cache-bytes", "0"}).result_cache_bytes == 0);
    TempTomlFile file("result_cache_bytes = 0\n");
    CHECK(resolve_control_plane({"--config", file.path()}).result_cache_bytes == 0);
}

TEST_CASE("ControlPlaneOptions: a concurrency of 0 is accepted: the control plane runs no task") {
    CHECK(resolve_control_plane({"--concurrency", "0"}).engine.concurrency == 0);
    TempTomlFile file("concurrency = 0\n");
    CHECK(resolve_control_plane({"--config", file.path()}).engine.concurrency == 0);
}

TEST_CASE("ControlPlaneOptions: a bad value in a layer that loses is never read") {
    // The command line wins, so the environment's bad value does not matter.
    auto settings = resolve_control_plane(
        {"--result-cache-size", "7"}, fake_environment({{"FASTQUEUE_RESULT_CACHE_SIZE", "-5"}}));
    CHECK(settings.result_cache_size == 7);
}

TEST_CASE("ControlPlaneOptions: an explicit subworker port may not reuse base+0..4") {
    CHECK(config_error_of({"--subworker-port", "5557"}) ==
          "invalid value '5557' for --subworker-port: collides with base+2 (normal-priority "
          "submissions) of base address tcp://127.0.0.1:5555 (from the default)");

    TempTomlFile file("subworker_port = 7004\n");
    CHECK(config_error_of({"--config", file.path(), "--base-address", "tcp://127.0.0.1:7000"}) ==
          "invalid value '7004' for " + file.path() +
              ": subworker_port: collides with base+4 (result queries and cancel) of base "
              "address tcp://127.0.0.1:7000 (from --base-address)");

    // base+5 itself, or any port outside the base's five, is fine.
    CHECK(effective_subworker_port(resolve_control_plane({"--subworker-port", "5560"})) == 5560);
    CHECK(effective_subworker_port(resolve_control_plane({"--subworker-port", "5554"})) == 5554);
    CHECK(effective_subworker_port(
              resolve_control_plane({"--base-address", "tcp://0.0.0.0:9000"})) == 9005);
}

TEST_CASE("ControlPlaneOptions: task modules are repeatable and split on spaces and commas") {
    const std::vector<std::string> expected = {"a", "b", "c", "d"};
    CHECK(resolve_control_plane({"--task-modules", "a", "b", "--task-modules", "c,d"})
              .engine.task_modules == expected);
    CHECK(resolve_control_plane({"--task-modules", "a b, c,,d"}).engine.task_modules == expected);
    CHECK(resolve_control_plane({}, fake_environment({{"FASTQUEUE_TASK_MODULES", "a b,c d"}}))
              .engine.task_modules == expected);

    TempTomlFile as_string("task_modules = \"a, b c d\"\n");
    CHECK(resolve_control_plane({"--config", as_string.path()}).engine.task_modules == expected);
    TempTomlFile as_array("task_modules = [\"a\", \"b c\", \"d\"]\n");
    CHECK(resolve_control_plane({"--config", as_array.path()}).engine.task_modules == expected);

    // A path keeps its slashes; the loader treats it as a file.
    CHECK(resolve_control_plane({"--task-modules", "./build/libmytasks.so"}).engine.task_modules ==
          std::vector<std::string>{"./build/libmytasks.so"});
    // No modules at all is allowed (the control plane warns about it elsewhere).
    CHECK(resolve_control_plane({"--task-modules", ""}).engine.task_modules.empty());
}

TEST_CASE("ControlPlaneOptions: a list from a higher layer replaces, not extends, a lower one") {
    auto settings = resolve_control_plane(
        {"--task-modules", "cli_mod"}, fake_environment({{"FASTQUEUE_TASK_MODULES", "env_mod"}}));
    CHECK(settings.engine.task_modules == std::vector<std::string>{"cli_mod"});
}

TEST_CASE(
    "ControlPlaneOptions: modules dirs are repeatable flags, colon-separated in the environment") {
    CHECK(resolve_control_plane({"--modules-dir", "/a,b", "--modules-dir", "/c d"})
              .engine.modules_dirs == std::vector<std::string>{"/a,b", "/c d"});
    CHECK(resolve_control_plane({}, fake_environment({{"FASTQUEUE_MODULES_DIR", "/a::/b"}}))
              .engine.modules_dirs == std::vector<std::string>{"/a", "/b"});
    TempTomlFile file("modules_dir = [\"/a\", \"/b\"]\n");
    CHECK(resolve_control_plane({"--config", file.path()}).engine.modules_dirs ==
          std::vector<std::string>{"/a", "/b"});
    // FASTQUEUE_MODULES_PATH belongs to the loader, not to --modules-dir.
    CHECK(resolve_control_plane({}, fake_environment({{"FASTQUEUE_MODULES_PATH", "/x"}}))
              .engine.modules_dirs.empty());
}

TEST_CASE("ControlPlaneOptions: a scalar flag given twice takes the last value") {
    CHECK(resolve_control_plane({"--worker-id", "first", "--worker-id", "second"}).worker_id ==
          "second");
}

TEST_CASE("ControlPlaneOptions: an environment variable set to the empty string counts as unset") {
    TempTomlFile file("worker_id = \"from-file\"\n");
    auto settings = resolve_control_plane({"--config", file.path()},
                                          fake_environment({{"FASTQUEUE_WORKER_ID", ""}}));
    CHECK(settings.worker_id == "from-file");
}

TEST_CASE("ControlPlaneOptions: the file comes from --config, else from FASTQUEUE_CONFIG") {
    TempTomlFile from_flag("worker_id = \"flag-file\"\n");
    TempTomlFile from_env("worker_id = \"env-file\"\n");
    auto environment = fake_environment({{"FASTQUEUE_CONFIG", from_env.path()}});
    CHECK(resolve_control_plane({}, environment).worker_id == "env-file");
    CHECK(resolve_control_plane({"--config", from_flag.path()}, environment).worker_id ==
          "flag-file");
    CHECK(config_error_of({"--config", ""}) ==
          "invalid value '' for --config: must name a TOML file");
}

TEST_CASE("ControlPlaneOptions: a whole config file sets every key it names") {
    TempTomlFile file(
        "worker_id = \"cp-1\"\n"
        "base_address = \"tcp://0.0.0.0:6000\"\n"
        "discovery_address = \"tcp://0.0.0.0:5990\"\n"
        "subworker_port = 6010\n"
        "result_cache_size = 500\n"
        "result_cache_ttl = 60\n"
        "task_modules = [\"mytasks\"]\n"
        "modules_dir = \"/opt/fastqueue/modules\"\n"
        "concurrency = 8\n"
        "log_level = \"warn\"\n"
        "shutdown_grace = 2.5\n");
    auto settings = resolve_control_plane({"--config", file.path()});
    CHECK(settings.worker_id == "cp-1");
    CHECK(settings.base_address == "tcp://0.0.0.0:6000");
    CHECK(settings.discovery_address == "tcp://0.0.0.0:5990");
    CHECK(settings.subworker_port == 6010);
    CHECK(settings.result_cache_size == 500);
    CHECK(settings.result_cache_ttl_seconds == 60);
    CHECK(settings.engine.task_modules == std::vector<std::string>{"mytasks"});
    CHECK(settings.engine.modules_dirs == std::vector<std::string>{"/opt/fastqueue/modules"});
    CHECK(settings.engine.concurrency == 8);
    CHECK(settings.engine.log_level == LogLevel::warn);
    CHECK(settings.engine.shutdown_grace_seconds == 2.5);
}

TEST_CASE("ControlPlaneOptions: a TOML integer is accepted where a number of seconds is expected") {
    TempTomlFile file("shutdown_grace = 0\n");
    CHECK(resolve_control_plane({"--config", file.path()}).engine.shutdown_grace_seconds == 0.0);
}

TEST_CASE("ControlPlaneOptions: an unknown key in the file is an error naming key and file") {
    TempTomlFile file("worker_id = \"cp\"\ncolour = \"red\"\n");
    CHECK(config_error_of({"--config", file.path()}) ==
          "unknown key 'colour' in config file '" + file.path() + "' (line 2)");

    TempTomlFile dashed("result-cache-size = 5\n");
    CHECK(config_error_of({"--config", dashed.path()}) ==
          "unknown key 'result-cache-size' in config file '" + dashed.path() +
              "' (line 1); did you mean 'result_cache_size'?");

    // The file cannot name another file, and keys live at the top level.
    TempTomlFile nested_config("config = \"other.toml\"\n");
    CHECK(config_error_of({"--config", nested_config.path()}).rfind("unknown key 'config'", 0) ==
          0);
    TempTomlFile table("[control_plane]\nworker_id = \"cp\"\n");
    CHECK(config_error_of({"--config", table.path()}).rfind("unknown key 'control_plane'", 0) == 0);
}

TEST_CASE("ControlPlaneOptions: a value of the wrong TOML type names key and expected type") {
    struct TypeCase {
        std::string line;
        std::string expected_tail;
    };
    const std::vector<TypeCase> cases = {
        {"result_cache_size = \"10\"",
         "result_cache_size (line 1): expected an integer, got a string"},
        {"result_cache_ttl = 1.5", "result_cache_ttl (line 1): expected an integer, got a float"},
        {"worker_id = 5", "worker_id (line 1): expected a string, got an integer"},
        {"shutdown_grace = \"30\"", "shutdown_grace (line 1): expected a number, got a string"},
        {"log_level = true", "log_level (line 1): expected a string, got a boolean"},
        {"task_modules = 5",
         "task_modules (line 1): expected a string or an array of strings, got an integer"},
        {"modules_dir = [\"/a\", 1]",
         "modules_dir (line 1): expected a string or an array of strings, got an array holding "
         "something other than strings"},
    };
    for (const auto& row : cases) {
        CAPTURE(row.line);
        TempTomlFile file(row.line + "\n");
        CHECK(config_error_of({"--config", file.path()}) ==
              "wrong type for " + file.path() + ": " + row.expected_tail);
    }
}

TEST_CASE(
    "ControlPlaneOptions: a malformed or unreadable file is an error naming file, line, column") {
    TempTomlFile malformed("worker_id = \"cp\"\nresult_cache_size = = 3\n");
    const std::string message = config_error_of({"--config", malformed.path()});
    CHECK_MESSAGE(message.rfind("config file '" + malformed.path() + "' line 2, column ", 0) == 0,
                  message);

    CHECK(config_error_of({"--config", "/nonexistent/fastqueue.toml"}) ==
          "cannot read config file '/nonexistent/fastqueue.toml': No such file or directory");

    const std::string directory = std::filesystem::temp_directory_path().string();
    CHECK(config_error_of({"--config", directory}) ==
          "cannot read config file '" + directory + "': it is a directory");
}

}  // namespace
}  // namespace fastqueue

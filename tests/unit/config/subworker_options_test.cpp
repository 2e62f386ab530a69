// Tests of runtime/config/subworker_options.cpp: the subworker's settings as
// a user gets them from `fastqueue subworker` flags, FASTQUEUE_ environment
// variables, a --config TOML file and the seed's defaults, and the
// subworker's table in docs/operations.md.
#include "config/subworker_options.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "config_test_support.hpp"

namespace fastqueue {
namespace {

using testing::fake_environment;
using testing::TempTomlFile;

SubworkerSettings resolve_subworker(const std::vector<std::string>& args,
                                    const EnvironmentLookup& environment = fake_environment()) {
    CLI::App app("fastqueue");
    CLI::App* command = app.add_subcommand("subworker");
    SubworkerOptions options(*command);
    std::vector<std::string> argv_strings = {"fastqueue", "subworker"};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<const char*> argv;
    for (const auto& arg : argv_strings) argv.push_back(arg.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return options.resolve(environment);
}

std::string error_of(const std::vector<std::string>& args,
                     const EnvironmentLookup& environment = fake_environment()) {
    try {
        resolve_subworker(args, environment);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

TEST_CASE("SubworkerOptions: with only a worker id, every other setting is the seed's default") {
    SubworkerSettings settings = resolve_subworker({"--worker-id", "sw1"});
    CHECK(settings.worker_id == "sw1");
    CHECK_FALSE(settings.control_plane_address.has_value());
    CHECK_FALSE(settings.control_plane_subworker_port.has_value());
    CHECK(settings.base_address == "tcp://127.0.0.1:5555");
    CHECK(settings.discovery_address == "tcp://127.0.0.1:5550");
    CHECK(settings.prefetch == 64);
    CHECK(settings.engine.task_modules.empty());
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    CHECK(settings.engine.concurrency == std::min<std::size_t>(cores, 1024));
    CHECK(settings.engine.log_level == LogLevel::info);
    CHECK(settings.engine.shutdown_grace_seconds == 30.0);
}

TEST_CASE("SubworkerOptions: --max-payload-bytes has the control plane's name, default and range") {
    CHECK(resolve_subworker({"--worker-id", "sw1"}).max_payload_bytes == 16u * 1024 * 1024);
    CHECK(resolve_subworker({"--worker-id", "sw1", "--max-payload-bytes", "1"}).max_payload_bytes ==
          1);
    CHECK(resolve_subworker({"--worker-id", "sw1", "--max-payload-bytes", "1073741824"})
              .max_payload_bytes == 1073741824u);
    CHECK(resolve_subworker({"--worker-id", "sw1"},
                            fake_environment({{"FASTQUEUE_MAX_PAYLOAD_BYTES", "65536"}}))
              .max_payload_bytes == 65536);
    TempTomlFile file("max_payload_bytes = 32768\n");
    CHECK(resolve_subworker({"--worker-id", "sw1", "--config", file.path()}).max_payload_bytes ==
          32768);
    for (const char* bad : {"0", "1073741825", "-1", "16MiB"}) {
        CAPTURE(bad);
        CHECK(error_of({"--worker-id", "sw1", "--max-payload-bytes", bad})
                  .find("--max-payload-bytes") != std::string::npos);
    }
}

TEST_CASE("SubworkerOptions: the seed's example command line is accepted as written") {
    SubworkerSettings settings = resolve_subworker(
        {"--worker-id", "subworker1", "--control-plane-address", "tcp://127.0.0.1:5555",
         "--base-address", "tcp://127.0.0.1:5561", "--task-modules", "mytasks"});
    CHECK(settings.worker_id == "subworker1");
    CHECK(settings.control_plane_address == "tcp://127.0.0.1:5555");
    CHECK(settings.base_address == "tcp://127.0.0.1:5561");
    CHECK(settings.engine.task_modules == std::vector<std::string>{"mytasks"});
}

TEST_CASE("SubworkerOptions: a missing worker id is an error that names --worker-id") {
    const std::string message = error_of({"--control-plane-address", "tcp://127.0.0.1:5555"});
    CHECK(message.find("--worker-id is required") == 0);
    CHECK(message.find("FASTQUEUE_WORKER_ID") != std::string::npos);
}

TEST_CASE("SubworkerOptions: command line beats environment beats file for its own keys") {
    TempTomlFile file(
        "worker_id = \"from-file\"\ncontrol_plane_address = \"tcp://10.0.0.3:5555\"\n"
        "prefetch = 7\nconcurrency = 5\n");
    auto environment = fake_environment({{"FASTQUEUE_WORKER_ID", "from-env"},
                                         {"FASTQUEUE_CONTROL_PLANE_ADDRESS", "tcp://10.0.0.2:5555"},
                                         {"FASTQUEUE_PREFETCH", "6"}});
    auto from_file = resolve_subworker({"--config", file.path()});
    CHECK(from_file.worker_id == "from-file");
    CHECK(from_file.control_plane_address == "tcp://10.0.0.3:5555");
    CHECK(from_file.prefetch == 7);
    CHECK(from_file.engine.concurrency == 5);

    auto from_env = resolve_subworker({"--config", file.path()}, environment);
    CHECK(from_env.worker_id == "from-env");
    CHECK(from_env.control_plane_address == "tcp://10.0.0.2:5555");
    CHECK(from_env.prefetch == 6);

    auto from_cli =
        resolve_subworker({"--config", file.path(), "--worker-id", "from-cli",
                           "--control-plane-address", "tcp://10.0.0.1:5555", "--prefetch", "0"},
                          environment);
    CHECK(from_cli.worker_id == "from-cli");
    CHECK(from_cli.control_plane_address == "tcp://10.0.0.1:5555");
    CHECK(from_cli.prefetch == 0);
}

TEST_CASE("SubworkerOptions: bad values name the value, the source and the reason") {
    CHECK(error_of({"--worker-id", "bad id!"}) ==
          "invalid value 'bad id!' for --worker-id: must be 1 to 128 characters of A-Z a-z 0-9 _ "
          ". : -");
    CHECK(error_of({"--worker-id", "sw", "--prefetch", "-1"}) ==
          "invalid value '-1' for --prefetch: must be an integer from 0 to 1024");
    CHECK(error_of({"--worker-id", "sw"}, fake_environment({{"FASTQUEUE_PREFETCH", "1025"}})) ==
          "invalid value '1025' for FASTQUEUE_PREFETCH: must be an integer from 0 to 1024");
    CHECK(error_of({"--worker-id", "sw", "--base-address", "tcp://127.0.0.1:65533"}) ==
          "invalid value 'tcp://127.0.0.1:65533' for --base-address: port 65533 leaves no room "
          "for the port map (PORT+3 must be <= 65535)");
    // The control plane connects to the base address a subworker registers.
    for (const char* unconnectable :
         {"tcp://*:6000", "tcp://0.0.0.0:6000", "tcp://[::]:6000", "tcp://224.0.0.1:6000"}) {
        CAPTURE(unconnectable);
        const std::string error = error_of({"--worker-id", "sw", "--base-address", unconnectable});
        CHECK(error.find("invalid value '" + std::string(unconnectable) +
                         "' for --base-address: ") == 0);
        CHECK(error.find("the control plane connects to this address") != std::string::npos);
    }
    CHECK(error_of({"--worker-id", "sw", "--control-plane-address", "tcp://127.0.0.1:65531"}) ==
          "invalid value 'tcp://127.0.0.1:65531' for --control-plane-address: port 65531 leaves "
          "no room for the port map (PORT+5 must be <= 65535)");
    CHECK(error_of({"--worker-id", "sw", "--discovery-address", "udp://127.0.0.1:5550"})
              .find("invalid value 'udp://127.0.0.1:5550' for --discovery-address: ") == 0);
    CHECK(error_of({"--worker-id", "sw", "--concurrency", "0"}) ==
          "invalid value '0' for --concurrency: must be an integer from 1 to 1024");
    TempTomlFile file("heartbeat_interval = 5\n");
    CHECK(error_of({"--worker-id", "sw", "--config", file.path()}).find("unknown key") !=
          std::string::npos);
}

TEST_CASE("SubworkerOptions: CURVE key files come in pairs, from flags or the environment") {
    const auto both = resolve_subworker({"--worker-id", "sw1", "--curve-secret-key",
                                         "sw.key_secret", "--control-plane-key", "cp.key"});
    CHECK(both.curve_secret_key == "sw.key_secret");
    CHECK(both.control_plane_key == "cp.key");
    const auto from_environment = resolve_subworker(
        {"--worker-id", "sw1"}, fake_environment({{"FASTQUEUE_CURVE_SECRET_KEY", "e.key_secret"},
                                                  {"FASTQUEUE_CONTROL_PLANE_KEY", "e.key"}}));
    CHECK(from_environment.curve_secret_key == "e.key_secret");
    CHECK(from_environment.control_plane_key == "e.key");
    const auto neither = resolve_subworker({"--worker-id", "sw1"});
    CHECK(neither.curve_secret_key.empty());
    CHECK(neither.control_plane_key.empty());

    const std::string only_secret =
        error_of({"--worker-id", "sw1", "--curve-secret-key", "sw.key_secret"});
    CHECK(only_secret.find("--control-plane-key") != std::string::npos);
    const std::string only_server =
        error_of({"--worker-id", "sw1", "--control-plane-key", "cp.key"});
    CHECK(only_server.find("--curve-secret-key") != std::string::npos);
    CHECK(error_of({"--worker-id", "sw1", "--curve-secret-key", "", "--control-plane-key", "x"})
              .find("must name a file") != std::string::npos);
}

TEST_CASE("docs/operations.md: its subworker table is the one the key table renders") {
    std::ifstream in(FASTQUEUE_TEST_SOURCE_DIR "/../../docs/operations.md");
    REQUIRE(in.good());
    std::ostringstream page;
    page << in.rdbuf();
    const std::string table = subworker_keys_markdown();
    CHECK_MESSAGE(page.str().find(table) != std::string::npos,
                  "paste this table into docs/operations.md:\n", table);
}

}  // namespace
}  // namespace fastqueue

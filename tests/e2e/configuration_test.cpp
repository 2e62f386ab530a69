// configuration_test.cpp -- how `fastqueue control-plane` takes its settings:
// a bad value from a flag, an environment variable or the TOML file (--config)
// stops it with exit code 2 and a message naming the key as the user wrote it
// (and the file); and precedence is command line, then environment, then the
// file, then the default, observed through the worker id in task records and
// through the result cache's size.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A TOML file with the given text, removed on scope exit.
class ConfigFile {
public:
    explicit ConfigFile(const std::string& text) {
        std::string pattern =
            (fs::temp_directory_path() / "fastqueue-e2e-config-XXXXXX.toml").string();
        const int fd = ::mkstemps(pattern.data(), 5);
        if (fd < 0) throw std::runtime_error("mkstemps failed");
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~ConfigFile() { ::unlink(path_.c_str()); }
    ConfigFile(const ConfigFile&) = delete;
    ConfigFile& operator=(const ConfigFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Runs a control plane with the given extra flags and environment on fresh
// ports, expecting it to refuse its configuration.
RunResult run_expecting_refusal(const std::vector<std::string>& extra_args,
                                const EnvironmentVariables& environment = {}) {
    std::vector<std::string> args{"--task-modules", "mytasks", "--modules-dir", test_modules_dir()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return run_control_plane_to_exit(args, environment).run;
}

void check_refused(const RunResult& run, const std::vector<std::string>& named) {
    INFO(run.describe());
    CHECK(run.exit_code == 2);
    for (const auto& text : named) {
        INFO("expected on stderr: " << text);
        CHECK(contains(run.stderr_text, text));
    }
}

std::string worker_id_of_a_task(const ControlPlaneProcess& control_plane) {
    Client client(control_plane.client_options());
    const auto record = client.submit_and_wait("echo", Client::make_payload("[1]", "{}"));
    REQUIRE(record.state == TaskState::success);
    return record.worker_id;
}

}  // namespace

TEST_CASE("configuration: a bad flag value exits 2 naming the flag") {
    check_refused(run_expecting_refusal({"--result-cache-size", "-1"}), {"--result-cache-size"});
    check_refused(run_expecting_refusal({"--result-cache-size", "lots"}), {"--result-cache-size"});
    check_refused(run_expecting_refusal({"--result-cache-ttl", "-5"}), {"--result-cache-ttl"});
    check_refused(run_expecting_refusal({"--concurrency", "1025"}), {"--concurrency"});
    check_refused(run_expecting_refusal({"--shutdown-grace", "-1"}), {"--shutdown-grace"});
    check_refused(run_expecting_refusal({"--log-level", "shouty"}), {"--log-level"});
    check_refused(run_expecting_refusal({"--subworker-port", "70000"}), {"--subworker-port"});
}

TEST_CASE("configuration: --concurrency 0 is for a control plane; a subworker refuses it") {
    // Refused before the subworker looks for a control plane or binds a port.
    const RunResult subworker =
        run_fastqueue({"subworker", "--worker-id", "sw", "--concurrency", "0"});
    check_refused(subworker, {"invalid value '0' for --concurrency"});
}

TEST_CASE("configuration: a bad --base-address exits 2 naming it") {
    check_refused(run_expecting_refusal({"--base-address", "not-an-address"}), {"not-an-address"});
    check_refused(run_expecting_refusal({"--base-address", "tcp://127.0.0.1:99999"}), {"99999"});
}

TEST_CASE("configuration: a bad environment value exits 2 naming the variable") {
    check_refused(run_expecting_refusal({}, {{"FASTQUEUE_RESULT_CACHE_SIZE", "-1"}}),
                  {"FASTQUEUE_RESULT_CACHE_SIZE"});
    check_refused(run_expecting_refusal({}, {{"FASTQUEUE_CONCURRENCY", "many"}}),
                  {"FASTQUEUE_CONCURRENCY"});
    check_refused(run_expecting_refusal({}, {{"FASTQUEUE_RESULT_CACHE_TTL", "-3"}}),
                  {"FASTQUEUE_RESULT_CACHE_TTL"});
}

TEST_CASE("configuration: a bad value in the TOML file exits 2 naming the key and the file") {
    ConfigFile file("result_cache_size = -1\n");
    check_refused(run_expecting_refusal({"--config", file.path()}),
                  {"result_cache_size", file.path()});
}

TEST_CASE(
    "configuration: a value of the wrong type in the TOML file exits 2 naming the key and the "
    "file") {
    ConfigFile file("concurrency = \"four\"\n");
    check_refused(run_expecting_refusal({"--config", file.path()}), {"concurrency", file.path()});
}

TEST_CASE("configuration: an unknown key in the TOML file exits 2 naming it and the file") {
    ConfigFile file("result_cache_size = 10\nno_such_setting = 1\n");
    check_refused(run_expecting_refusal({"--config", file.path()}),
                  {"no_such_setting", file.path()});
}

TEST_CASE("configuration: a TOML file that does not parse exits 2 naming the file") {
    ConfigFile file("result_cache_size = = 3\n[unclosed\n");
    check_refused(run_expecting_refusal({"--config", file.path()}), {file.path()});
}

TEST_CASE("configuration: a --config file that does not exist exits 2 naming it") {
    const std::string missing =
        (fs::temp_directory_path() / "fastqueue-e2e-no-such-config.toml").string();
    check_refused(run_expecting_refusal({"--config", missing}), {missing});
}

TEST_CASE("configuration: a bad value stops the control plane before it binds a port") {
    const auto exited =
        run_control_plane_to_exit({"--task-modules", "mytasks", "--modules-dir", test_modules_dir(),
                                   "--result-cache-size", "-1"});
    INFO(exited.run.describe());
    CHECK(exited.run.exit_code == 2);
    for (int offset = 0; offset <= 4; ++offset) CHECK(is_port_free(exited.base_port + offset));
}

TEST_CASE("configuration: the worker id defaults to control-plane") {
    ControlPlaneProcess control_plane;
    CHECK(worker_id_of_a_task(control_plane) == "control-plane");
}

TEST_CASE("configuration: the TOML file is used when neither flag nor environment sets a key") {
    ConfigFile file("worker_id = \"from-file\"\n");
    ControlPlaneProcess control_plane({"--config", file.path()});
    CHECK(worker_id_of_a_task(control_plane) == "from-file");
}

TEST_CASE("configuration: FASTQUEUE_CONFIG names the TOML file") {
    ConfigFile file("worker_id = \"from-file-via-env\"\n");
    ControlPlaneProcess control_plane({}, {{"FASTQUEUE_CONFIG", file.path()}});
    CHECK(worker_id_of_a_task(control_plane) == "from-file-via-env");
}

TEST_CASE("configuration: the environment overrides the TOML file") {
    ConfigFile file("worker_id = \"from-file\"\n");
    ControlPlaneProcess control_plane({"--config", file.path()},
                                      {{"FASTQUEUE_WORKER_ID", "from-env"}});
    CHECK(worker_id_of_a_task(control_plane) == "from-env");
}

TEST_CASE("configuration: a flag overrides the environment and the TOML file") {
    ConfigFile file("worker_id = \"from-file\"\n");
    ControlPlaneProcess control_plane({"--config", file.path(), "--worker-id", "from-flag"},
                                      {{"FASTQUEUE_WORKER_ID", "from-env"}});
    CHECK(worker_id_of_a_task(control_plane) == "from-flag");
}

TEST_CASE("configuration: FASTQUEUE_RESULT_CACHE_SIZE overrides the file's result_cache_size") {
    // The file allows 100 records, the environment 1: with 1, the first
    // record is evicted by the second.
    ConfigFile file("result_cache_size = 100\n");
    ControlPlaneProcess control_plane({"--config", file.path()},
                                      {{"FASTQUEUE_RESULT_CACHE_SIZE", "1"}});
    Client client(control_plane.client_options());
    const auto first = client.submit_and_wait("echo", Client::make_payload("[1]", "{}"));
    const auto second = client.submit_and_wait("echo", Client::make_payload("[2]", "{}"));
    CHECK_FALSE(client.get(first.task_id).has_value());
    CHECK(client.get(second.task_id).has_value());
}

TEST_CASE("configuration: --result-cache-size overrides FASTQUEUE_RESULT_CACHE_SIZE") {
    ControlPlaneProcess control_plane({"--result-cache-size", "5"},
                                      {{"FASTQUEUE_RESULT_CACHE_SIZE", "1"}});
    Client client(control_plane.client_options());
    const auto first = client.submit_and_wait("echo", Client::make_payload("[1]", "{}"));
    const auto second = client.submit_and_wait("echo", Client::make_payload("[2]", "{}"));
    CHECK(client.get(first.task_id).has_value());
    CHECK(client.get(second.task_id).has_value());
}

TEST_CASE("configuration: the whole configuration can come from the TOML file") {
    const int base = find_free_port_block(ControlPlaneProcess::kPortCount);
    ConfigFile file("base_address = \"" + loopback_address(base) + "\"\n" +
                    "discovery_address = \"" + loopback_address(base + 6) + "\"\n" +
                    "subworker_port = " + std::to_string(base + 5) + "\n" +
                    "task_modules = \"mytasks\"\n" + "modules_dir = \"" + test_modules_dir() +
                    "\"\n" + "worker_id = \"all-from-file\"\n");
    Process process({fastqueue_binary(), "control-plane", "--config", file.path()});
    REQUIRE_MESSAGE(wait_until_serving(loopback_address(base), process, 15s),
                    process.stderr_text());
    ClientOptions options;
    options.control_plane_address = loopback_address(base);
    options.timeout = 10s;
    Client client(options);
    const auto record = client.submit_and_wait("add", Client::make_payload("[20, 22]", "{}"));
    CHECK(record.state == TaskState::success);
    CHECK(record.result == "42");
    CHECK(record.worker_id == "all-from-file");
    process.stop_and_check(10s);  // SIGTERM; it must exit 0
}

// plugin_loading_test.cpp -- what a user sees when a plugin cannot be loaded:
// `fastqueue control-plane` exits non-zero with one line on stderr naming the
// file and the reason, before it binds any port (the ports are still free
// afterwards). Also: the search order of the modules directories, a name with
// a slash used as a path, and a valid test plugin that loads and runs.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Starts a control plane that loads `modules` from the build's modules
// directory (plus any extra flags) and expects it to exit on its own.
ExitedControlPlane start_control_plane(const std::vector<std::string>& modules,
                                       const std::vector<std::string>& extra_args = {},
                                       const EnvironmentVariables& environment = {}) {
    std::vector<std::string> args{"--modules-dir", test_modules_dir()};
    for (const auto& module : modules) {
        args.push_back("--task-modules");
        args.push_back(module);
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return run_control_plane_to_exit(args, environment);
}

// The checks every load failure shares: a failure exit code, exactly one
// line on stderr that names the file, containing each of `reasons`, and none
// of the control plane's ports bound. When the plugin never ran its init (so
// it cannot have logged anything), that line must be all of stderr; when init
// ran, the plugin's own log lines may come before it.
enum class OtherLines { forbidden, allowed };

void check_load_failure(const ExitedControlPlane& failure, const std::string& file,
                        const std::vector<std::string>& reasons,
                        OtherLines other_lines = OtherLines::forbidden) {
    INFO(failure.run.describe());
    REQUIRE(failure.run.exit_code != RunResult::kTimedOut);
    CHECK(failure.run.exit_code == 1);
    const auto lines = non_empty_lines(failure.run.stderr_text);
    if (other_lines == OtherLines::forbidden) CHECK(lines.size() == 1);
    std::vector<std::string> naming_file;
    for (const auto& line : lines) {
        if (contains(line, file)) naming_file.push_back(line);
    }
    REQUIRE(naming_file.size() == 1);
    for (const auto& reason : reasons) {
        INFO("reason: " << reason);
        CHECK(contains(naming_file[0], reason));
    }
    for (int offset = 0; offset <= 4; ++offset) {
        INFO("port base+" << offset);
        CHECK(is_port_free(failure.base_port + offset));
    }
}

std::string module_path(const std::string& name) {
    return test_modules_dir() + "/lib" + name + ".so";
}

// A fresh empty directory under the temporary directory, removed on scope exit.
class TemporaryDirectory {
public:
    TemporaryDirectory() {
        std::string pattern = (fs::temp_directory_path() / "fastqueue-e2e-modules-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

}  // namespace

TEST_CASE("plugin loading: a plugin that is not found names every directory searched") {
    TemporaryDirectory first;
    TemporaryDirectory second;
    TemporaryDirectory from_environment;
    const auto failure = start_control_plane(
        {"fq_test_missing"},
        {"--modules-dir", first.path().string(), "--modules-dir", second.path().string()},
        {{"FASTQUEUE_MODULES_PATH", from_environment.path().string()}});
    check_load_failure(
        failure, "fq_test_missing",
        {"not found", test_modules_dir(), first.path().string(), second.path().string(),
         from_environment.path().string(), "fastqueue/modules", "./modules"});
}

TEST_CASE("plugin loading: a wrong ABI major is refused naming both versions") {
    check_load_failure(start_control_plane({"fq_test_bad_abi"}), module_path("fq_test_bad_abi"),
                       {"ABI", "2.", "1."});
}

TEST_CASE("plugin loading: a plugin built for a newer ABI minor is refused naming both versions") {
    check_load_failure(start_control_plane({"fq_test_newer_minor"}),
                       module_path("fq_test_newer_minor"), {"ABI", "1.99", "1.1"});
}

TEST_CASE("plugin loading: a shared object without the entry symbol is not a FastQueue plugin") {
    check_load_failure(start_control_plane({"fq_test_no_entry"}), module_path("fq_test_no_entry"),
                       {"not a FastQueue plugin"});
}

TEST_CASE("plugin loading: an entry function that returns no descriptor is refused") {
    check_load_failure(start_control_plane({"fq_test_entry_null"}),
                       module_path("fq_test_entry_null"), {"not a FastQueue plugin"});
}

TEST_CASE("plugin loading: a descriptor too small for ABI 1.0 is refused") {
    check_load_failure(start_control_plane({"fq_test_short_descriptor"}),
                       module_path("fq_test_short_descriptor"), {"descriptor"});
}

TEST_CASE("plugin loading: a file that is not a shared object is not a FastQueue plugin") {
    check_load_failure(start_control_plane({"fq_test_not_elf"}), module_path("fq_test_not_elf"),
                       {"not a FastQueue plugin"});
}

TEST_CASE(
    "plugin loading: a plugin with an unresolved symbol is refused when named, naming the symbol") {
    check_load_failure(start_control_plane({"fq_test_unresolved"}),
                       module_path("fq_test_unresolved"), {"fq_test_symbol_defined_nowhere"});
}

TEST_CASE("plugin loading: an init that fails is reported with the plugin's message") {
    check_load_failure(start_control_plane({"fq_test_init_fails"}),
                       module_path("fq_test_init_fails"), {"init failed", "database unreachable"},
                       OtherLines::allowed);
}

TEST_CASE("plugin loading: a task name the protocol cannot carry is refused naming the task") {
    check_load_failure(start_control_plane({"fq_test_bad_task_name"}),
                       module_path("fq_test_bad_task_name"), {"bad name!"}, OtherLines::allowed);
}

TEST_CASE("plugin loading: two plugins registering the same task name are refused naming both") {
    check_load_failure(
        start_control_plane({"fq_test_duplicate_a", "fq_test_duplicate_b"}),
        module_path("fq_test_duplicate_b"),
        {"dup_task", "fq_test_duplicate_a", "fq_test_duplicate_b", "already registered"},
        OtherLines::allowed);
}

TEST_CASE("plugin loading: a failing plugin after a good one still stops the control plane") {
    check_load_failure(start_control_plane({"fq_test_ok", "fq_test_init_fails"}),
                       module_path("fq_test_init_fails"), {"database unreachable"},
                       OtherLines::allowed);
}

TEST_CASE("plugin loading: a valid test plugin loads and its tasks run") {
    ControlPlaneProcess control_plane({}, {}, {"fq_test_ok"});
    const auto echo =
        control_plane.cli({"submit", "--task-name", "test_ok_echo", "--args", "ping"});
    INFO(echo.describe());
    CHECK(echo.exit_code == 0);
    // test_ok_echo returns its whole input, the conventional payload.
    const auto result = parse_json(echo.stdout_text);
    CHECK(result["args"] == nlohmann::json::array({"ping"}));
    const auto fail = control_plane.cli({"submit", "--task-name", "test_ok_fail", "--json"});
    INFO(fail.describe());
    CHECK(fail.exit_code == 1);
    CHECK(parse_json(fail.stdout_text)["error"] == "test_ok_fail always fails");
}

TEST_CASE("plugin loading: --modules-dir is searched before FASTQUEUE_MODULES_PATH") {
    // A directory whose "mytasks" is really the wrong-ABI plugin: whichever
    // directory is searched first decides whether loading succeeds. `list`
    // loads plugins exactly as the control plane does.
    TemporaryDirectory impostor;
    fs::copy_file(module_path("fq_test_bad_abi"), impostor.path() / "libmytasks.so");
    const std::string impostor_file = (impostor.path() / "libmytasks.so").string();

    const auto impostor_first = run_fastqueue(
        {"list", "--task-modules", "mytasks", "--modules-dir", impostor.path().string()}, 15s,
        {{"FASTQUEUE_MODULES_PATH", test_modules_dir()}});
    INFO(impostor_first.describe());
    CHECK(impostor_first.exit_code == 1);
    CHECK(contains(impostor_first.stderr_text, impostor_file));
    CHECK(contains(impostor_first.stderr_text, "ABI"));

    const auto real_first =
        run_fastqueue({"list", "--task-modules", "mytasks", "--modules-dir", test_modules_dir()},
                      15s, {{"FASTQUEUE_MODULES_PATH", impostor.path().string()}});
    INFO(real_first.describe());
    CHECK(real_first.exit_code == 0);
    CHECK(contains(real_first.stdout_text, "mytasks"));
}

TEST_CASE("plugin loading: FASTQUEUE_MODULES_PATH is searched, entry by colon-separated entry") {
    TemporaryDirectory empty;
    const auto run = run_fastqueue(
        {"list", "--task-modules", "mytasks"}, 15s,
        {{"FASTQUEUE_MODULES_PATH", empty.path().string() + ":" + test_modules_dir()}});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    CHECK(contains(run.stdout_text, "mytasks"));
}

TEST_CASE("plugin loading: a module name with a slash is used as a path") {
    const auto found = run_fastqueue({"list", "--task-modules", module_path("fq_test_ok")}, 15s);
    INFO(found.describe());
    CHECK(found.exit_code == 0);
    CHECK(contains(found.stdout_text, "test_ok_echo"));

    const std::string missing = test_modules_dir() + "/libfq_test_absent.so";
    const auto not_found = run_fastqueue({"list", "--task-modules", missing}, 15s);
    INFO(not_found.describe());
    CHECK(not_found.exit_code == 1);
    CHECK(non_empty_lines(not_found.stderr_text).size() == 1);
    CHECK(contains(not_found.stderr_text, missing));
    CHECK(contains(not_found.stderr_text, "not found"));
}

TEST_CASE("plugin loading: `list` reports a load failure as one line naming the file") {
    const auto run = run_fastqueue(
        {"list", "--task-modules", "fq_test_bad_abi", "--modules-dir", test_modules_dir()}, 15s);
    INFO(run.describe());
    CHECK(run.exit_code == 1);
    const auto lines = non_empty_lines(run.stderr_text);
    REQUIRE(lines.size() == 1);
    CHECK(contains(lines[0], module_path("fq_test_bad_abi")));
    CHECK(contains(lines[0], "ABI"));
}

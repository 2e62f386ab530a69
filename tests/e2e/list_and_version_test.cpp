// list_and_version_test.cpp -- the two commands that need no control plane:
// `fastqueue list` prints each plugin and then each of its tasks with its
// one-line description; `fastqueue --version` prints the version and the
// plugin ABI version.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include "harness/fastqueue_cli.hpp"

#ifndef FASTQUEUE_PROJECT_VERSION
#error "FASTQUEUE_PROJECT_VERSION must be the project's version (set by tests/e2e/CMakeLists.txt)"
#endif

using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// The line of `output` whose first word is `word`, or "".
std::string line_starting_with(const std::string& output, const std::string& word) {
    for (const auto& line : non_empty_lines(output)) {
        if (line == word || line.rfind(word + " ", 0) == 0) return line;
    }
    return "";
}

}  // namespace

TEST_CASE("list: prints the mytasks plugin and each of its tasks with a description") {
    const auto run =
        run_fastqueue({"list", "--task-modules", "mytasks", "--modules-dir", test_modules_dir()});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    const auto lines = non_empty_lines(run.stdout_text);
    REQUIRE_FALSE(lines.empty());
    CHECK(contains(lines[0], "mytasks"));
    for (const char* task : {"add", "echo", "sleep", "fail"}) {
        const std::string line = line_starting_with(run.stdout_text, task);
        INFO("task " << std::string(task));
        REQUIRE_FALSE(line.empty());
        // A description follows the name on the same line.
        CHECK(trim(line.substr(std::string(task).size())).size() > 3);
    }
}

TEST_CASE("list: names given comma-separated, space-separated or repeated all load") {
    const std::vector<std::vector<std::string>> spellings{
        {"--task-modules", "mytasks,fq_test_ok"},
        {"--task-modules", "mytasks fq_test_ok"},
        {"--task-modules", "mytasks", "--task-modules", "fq_test_ok"},
    };
    for (const auto& spelling : spellings) {
        std::vector<std::string> args{"list", "--modules-dir", test_modules_dir()};
        args.insert(args.end(), spelling.begin(), spelling.end());
        const auto run = run_fastqueue(args);
        INFO(join(spelling) << "\n" << run.describe());
        CHECK(run.exit_code == 0);
        CHECK(contains(run.stdout_text, "mytasks"));
        CHECK(contains(run.stdout_text, "fq_test_ok"));
        CHECK_FALSE(line_starting_with(run.stdout_text, "echo").empty());
        CHECK_FALSE(line_starting_with(run.stdout_text, "test_ok_echo").empty());
    }
}

TEST_CASE("list: plugins are listed in the order given, each followed by its own tasks") {
    const auto run = run_fastqueue(
        {"list", "--task-modules", "fq_test_ok,mytasks", "--modules-dir", test_modules_dir()});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    const std::string& out = run.stdout_text;
    const auto ok_plugin = out.find("fq_test_ok");
    const auto ok_task = out.find("test_ok_echo");
    const auto mytasks_plugin = out.find("mytasks");
    const auto sleep_task = out.find("sleep");
    REQUIRE(ok_plugin != std::string::npos);
    REQUIRE(mytasks_plugin != std::string::npos);
    CHECK(ok_plugin < ok_task);
    CHECK(ok_task < mytasks_plugin);
    CHECK(mytasks_plugin < sleep_task);
}

TEST_CASE("list: without --task-modules is a usage error (exit 2)") {
    const auto run = run_fastqueue({"list"});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
}

TEST_CASE("--version: prints the project's version and plugin ABI 1.1, exit 0") {
    const auto run = run_fastqueue({"--version"});
    INFO(run.describe());
    CHECK(run.exit_code == 0);
    std::smatch version;
    REQUIRE(
        std::regex_search(run.stdout_text, version, std::regex(R"(fastqueue (\d+\.\d+\.\d+)\b)")));
    // The project's version, as CMake's project() declares it.
    CHECK(version[1].str() == FASTQUEUE_PROJECT_VERSION);
    CHECK(contains(run.stdout_text, "plugin ABI 1.1"));
}

TEST_CASE("fastqueue: no subcommand or an unknown subcommand is a usage error (exit 2)") {
    const auto none = run_fastqueue({});
    INFO(none.describe());
    CHECK(none.exit_code == 2);
    const auto unknown = run_fastqueue({"frobnicate"});
    INFO(unknown.describe());
    CHECK(unknown.exit_code == 2);
}

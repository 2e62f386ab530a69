// journal_command_test.cpp -- `fastqueue journal check|repair DIR` as a
// script sees it: check exits 0 on an intact journal and 1 on damage (naming
// the damaged bytes, or as one JSON object with --json), repair exits 0 and
// leaves a journal that checks intact, and both exit 2 for a missing directory
// and while a Journal holds the lock.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "../journal/journal_test_support.hpp"
#include "journal/journal.hpp"

using namespace fastqueue;
using namespace fastqueue::test;

namespace {

struct CommandResult {
    int exit_code = -1;
    std::string out;  // stdout only
};

CommandResult run_fastqueue(const std::string& arguments) {
    const std::string command =
        std::string(FASTQUEUE_EXECUTABLE) + " " + arguments + " 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    CommandResult result;
    char buffer[4096];
    std::size_t size;
    while ((size = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, size);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// A journal of three records; returns where the second one is.
JournalLocation write_three(const std::filesystem::path& dir) {
    auto opened = open_journal(journal_options(dir));
    opened.journal->append({"first"});
    const auto second = opened.journal->append({"second record"});
    opened.journal->append({"third"});
    REQUIRE_FALSE(opened.journal->commit());
    return second;
}

}  // namespace

TEST_CASE("fastqueue journal check: exit 0 when intact, 1 naming the damaged bytes") {
    JournalTempDir dir;
    const auto second = write_three(dir.path());
    const std::string quoted = "'" + dir.path().string() + "'";

    auto intact = run_fastqueue("journal check " + quoted);
    CHECK(intact.exit_code == 0);
    CHECK(intact.out.find("3 intact records, 0 damaged ranges") != std::string::npos);

    overwrite(segment_files(dir.path()).at(0), second.offset + 9, "?");
    const auto damaged = run_fastqueue("journal check " + quoted);
    CHECK(damaged.exit_code == 1);
    const std::string range = "bytes " + std::to_string(second.offset) + ".." +
                              std::to_string(second.offset + 8 + second.size);
    CHECK(damaged.out.find(range) != std::string::npos);

    const auto json = run_fastqueue("journal check --json " + quoted);
    CHECK(json.exit_code == 1);
    const auto report = nlohmann::json::parse(json.out);
    CHECK(report["intact"] == false);
    CHECK(report["segments"][0]["records"] == 2);
    CHECK(report["segments"][0]["damaged"][0]["offset"] == second.offset);

    const auto repair = run_fastqueue("journal repair " + quoted);
    CHECK(repair.exit_code == 0);
    CHECK(repair.out.find("kept 2 records") != std::string::npos);
    CHECK(run_fastqueue("journal check " + quoted).exit_code == 0);
    CHECK(open_journal(journal_options(dir.path())).bodies() ==
          std::vector<std::string>{"first", "third"});
}

TEST_CASE("fastqueue journal check and repair: exit 2 for a missing directory or a held lock") {
    JournalTempDir dir;
    write_three(dir.path());
    const std::string quoted = "'" + dir.path().string() + "'";
    CHECK(run_fastqueue("journal check '" + (dir.path() / "missing").string() + "'").exit_code ==
          2);
    const auto opened = open_journal(journal_options(dir.path()));
    CHECK(run_fastqueue("journal check " + quoted).exit_code == 2);
    CHECK(run_fastqueue("journal repair " + quoted).exit_code == 2);
}

// journal_test.cpp -- Journal as its owner uses it: records committed are
// replayed in append order across segments and restarts, segments roll over at
// segment_bytes, a torn end of the newest segment is cut off and appends carry
// on after it, damage anywhere else refuses to open naming file and offset, a
// failed commit (a file size limit) drops its batch and a later one works, the
// lock refuses a second writer naming the holder, and release and compaction
// keep the files bounded while replay still yields exactly the live records.
#include "journal/journal.hpp"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <string>
#include <vector>

#include "journal/journal_segment.hpp"
#include "journal_test_support.hpp"

using namespace fastqueue;
using namespace fastqueue::test;

namespace {

std::string record_text(int index) { return "record " + std::to_string(index) + " payload"; }

std::vector<std::string> record_texts(int first, int count) {
    std::vector<std::string> texts;
    for (int index = first; index < first + count; ++index) texts.push_back(record_text(index));
    return texts;
}

}  // namespace

TEST_CASE("Journal: committed records are replayed in append order with their locations") {
    TempDir dir;
    const auto options = journal_options(dir.path() / "journal");
    std::vector<JournalLocation> written;
    {
        auto opened = open_journal(options);
        CHECK(opened.records.empty());
        auto& journal = *opened.journal;
        CHECK_FALSE(journal.has_pending());
        for (int index = 0; index < 3; ++index) {
            written.push_back(journal.append({"record ", std::to_string(index), " payload"}));
        }
        CHECK(journal.has_pending());
        REQUIRE_FALSE(journal.commit());
        CHECK_FALSE(journal.has_pending());
        written.push_back(journal.append({record_text(3)}));
        REQUIRE_FALSE(journal.commit());
        const auto stats = journal.stats();
        CHECK(stats.segments == 1);
        CHECK(stats.live_records == 4);
        CHECK(stats.disk_bytes == std::filesystem::file_size(segment_files(options.dir).at(0)));
    }
    CHECK((std::filesystem::status(options.dir).permissions() & std::filesystem::perms::all) ==
          std::filesystem::perms::owner_all);
    const auto reopened = open_journal(options);
    CHECK(reopened.bodies() == record_texts(0, 4));
    REQUIRE(reopened.records.size() == written.size());
    for (std::size_t index = 0; index < written.size(); ++index) {
        CHECK(reopened.records[index].at.segment == written[index].segment);
        CHECK(reopened.records[index].at.offset == written[index].offset);
        CHECK(reopened.records[index].at.size == written[index].size);
    }
    CHECK(reopened.journal->stats().live_records == 4);
}

TEST_CASE("Journal: records appended but not committed are not written") {
    TempDir dir;
    const auto options = journal_options(dir.path());
    {
        auto opened = open_journal(options);
        opened.journal->append({"committed"});
        REQUIRE_FALSE(opened.journal->commit());
        opened.journal->append({"never committed"});
    }
    CHECK(open_journal(options).bodies() == std::vector<std::string>{"committed"});
}

TEST_CASE("Journal: an empty record is refused") {
    TempDir dir;
    auto opened = open_journal(journal_options(dir.path()));
    CHECK_THROWS_AS(opened.journal->append({"", ""}), std::invalid_argument);
    CHECK_FALSE(opened.journal->has_pending());
}

TEST_CASE("Journal: segments roll over at segment_bytes and replay keeps order across them") {
    TempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    const std::string filler(500, 'x');
    std::vector<std::string> expected;
    {
        auto opened = open_journal(options);
        for (int batch = 0; batch < 5; ++batch) {
            for (int index = 0; index < 6; ++index) {
                expected.push_back(std::to_string(batch * 6 + index) + filler);
                opened.journal->append({expected.back()});
            }
            REQUIRE_FALSE(opened.journal->commit());
        }
        CHECK(opened.journal->stats().segments == segment_files(options.dir).size());
    }
    const auto files = segment_files(options.dir);
    CHECK(files.size() >= 4);
    for (std::size_t index = 0; index + 1 < files.size(); ++index) {
        const auto size = std::filesystem::file_size(files[index]);
        CHECK(size >= 4096);
        CHECK(size < 4096 + 8 + 504);  // a segment holds at most one record past the limit
    }
    CHECK(open_journal(options).bodies() == expected);
}

TEST_CASE("Journal: a torn end of the newest segment is cut off and appends continue after it") {
    const std::string header_of_a_long_record("\x00\x10\x00\x00\x12\x34\x56\x78", 8);
    const std::vector<std::pair<const char*, std::string>> tails{
        {"a partial frame", header_of_a_long_record + "only part of the body"},
        {"zeros", std::string(100, '\0')},
        {"garbage", "\xde\xad\xbe\xef garbage appended by a crash"},
        {"a partial header", std::string("\x05\x00", 2)},
    };
    for (const auto& [name, tail] : tails) {
        CAPTURE(name);
        TempDir dir;
        const auto options = journal_options(dir.path());
        {
            auto opened = open_journal(options);
            opened.journal->append({"first"});
            opened.journal->append({"second"});
            REQUIRE_FALSE(opened.journal->commit());
        }
        const auto file = segment_files(options.dir).at(0);
        const auto intact_size = std::filesystem::file_size(file);
        append_to_file(file, tail);
        {
            auto opened = open_journal(options);
            CHECK(opened.bodies() == std::vector<std::string>{"first", "second"});
            CHECK(std::filesystem::file_size(file) == intact_size);
            opened.journal->append({"third"});
            REQUIRE_FALSE(opened.journal->commit());
        }
        CHECK(open_journal(options).bodies() ==
              std::vector<std::string>{"first", "second", "third"});
    }
}

TEST_CASE("Journal: a last record with a bad checksum is cut off as torn") {
    TempDir dir;
    const auto options = journal_options(dir.path());
    JournalLocation last;
    {
        auto opened = open_journal(options);
        opened.journal->append({"kept"});
        last = opened.journal->append({"torn"});
        REQUIRE_FALSE(opened.journal->commit());
    }
    overwrite(segment_files(options.dir).at(0), last.offset + 8, "T");
    const auto opened = open_journal(options);
    CHECK(opened.bodies() == std::vector<std::string>{"kept"});
    CHECK(std::filesystem::file_size(segment_files(options.dir).at(0)) == last.offset);
}

TEST_CASE("Journal: damage before the end refuses to open, naming the file and the offset") {
    TempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    JournalLocation damaged_at;
    {
        auto opened = open_journal(options);
        for (int index = 0; index < 40; ++index) {
            const auto at = opened.journal->append({record_text(index) + std::string(200, 'y')});
            if (index == 3) damaged_at = at;
        }
        REQUIRE_FALSE(opened.journal->commit());
    }
    REQUIRE(segment_files(options.dir).size() >= 2);
    const auto file = segment_files(options.dir).at(0);
    REQUIRE(damaged_at.segment == 1);

    SUBCASE("a flipped byte in an older segment") { overwrite(file, damaged_at.offset + 20, "!"); }
    SUBCASE("the end of an older segment cut off") {
        std::filesystem::resize_file(file, damaged_at.offset + 10);
    }
    try {
        open_journal(options);
        FAIL("open() accepted a damaged journal");
    } catch (const JournalDamagedError& error) {
        CHECK(error.file == file);
        CHECK(error.offset == damaged_at.offset);
        const std::string what = error.what();
        CHECK(what.find(file.string()) != std::string::npos);
        CHECK(what.find("byte " + std::to_string(damaged_at.offset)) != std::string::npos);
        CHECK(what.find("fastqueue journal repair " + options.dir.string()) != std::string::npos);
    }
}

TEST_CASE("Journal: damage in the middle of the newest segment is not taken for a torn end") {
    TempDir dir;
    const auto options = journal_options(dir.path());
    JournalLocation damaged_at;
    {
        auto opened = open_journal(options);
        opened.journal->append({"one"});
        damaged_at = opened.journal->append({"two"});
        opened.journal->append({"three"});
        REQUIRE_FALSE(opened.journal->commit());
    }
    overwrite(segment_files(options.dir).at(0), damaged_at.offset + 8, "X");
    CHECK_THROWS_AS(open_journal(options), JournalDamagedError);
}

TEST_CASE("Journal: a second writer is refused while the lock is held, naming the holder") {
    TempDir dir;
    const auto options = journal_options(dir.path());
    auto first = open_journal(options);
    try {
        open_journal(options);
        FAIL("a second Journal opened a locked directory");
    } catch (const JournalLockedError& error) {
        CHECK(std::string(error.what()) == "journal " + options.dir.string() +
                                               " is in use by pid " + std::to_string(::getpid()) +
                                               " on host " + [] {
                                                   char name[256] = {};
                                                   ::gethostname(name, sizeof name - 1);
                                                   return std::string(name);
                                               }());
    }
    first.journal.reset();
    CHECK_NOTHROW(open_journal(options));
}

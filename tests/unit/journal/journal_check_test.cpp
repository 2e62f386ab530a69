// journal_check_test.cpp -- check and repair: an intact journal reports its
// records and no damage; a damaged record in the middle of an older segment is
// reported with its offset and length and repair keeps every other record (and
// the original as .damaged) so that the journal opens again; damage at several
// places, a torn end and a broken segment header are each resynchronised past;
// both refuse while a Journal holds the lock.
#include "journal/journal_check.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "journal/journal_segment.hpp"
#include "journal_test_support.hpp"

using namespace fastqueue;
using namespace fastqueue::journal;
using namespace fastqueue::test;

namespace {

// Writes `count` records of about 200 bytes into 4 KiB segments; returns their locations.
std::vector<JournalLocation> write_records(const JournalOptions& options, int count,
                                           std::vector<std::string>& bodies) {
    auto opened = open_journal(options);
    std::vector<JournalLocation> locations;
    for (int index = 0; index < count; ++index) {
        bodies.push_back("record " + std::to_string(index) + std::string(200, 'c'));
        locations.push_back(opened.journal->append({bodies.back()}));
    }
    REQUIRE_FALSE(opened.journal->commit());
    return locations;
}

std::filesystem::path segment_path(const std::filesystem::path& dir, std::uint64_t number) {
    return dir / segment_file_name(number);
}

}  // namespace

TEST_CASE("Journal check: an intact journal has every record and no damage") {
    JournalTempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    std::vector<std::string> bodies;
    write_records(options, 50, bodies);
    const auto check = check_journal(options.dir);
    CHECK(check.is_intact());
    REQUIRE(check.segments.size() == segment_files(options.dir).size());
    std::uint64_t records = 0;
    for (const auto& segment : check.segments) {
        records += segment.records;
        CHECK(segment.file_bytes == std::filesystem::file_size(segment.file));
    }
    CHECK(records == 50);
    const auto repair = repair_journal(options.dir);
    CHECK(repair.repaired.empty());
}

TEST_CASE("Journal repair: a damaged record in an older segment costs only that record") {
    JournalTempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    std::vector<std::string> bodies;
    const auto locations = write_records(options, 50, bodies);
    const int damaged_index = 5;
    const auto damaged_at = locations[damaged_index];
    REQUIRE(damaged_at.segment == 1);
    const auto file = segment_path(options.dir, 1);
    const auto original = read_file(file);
    overwrite(file, damaged_at.offset + 8 + 50, "#");
    CHECK_THROWS_AS(open_journal(options), JournalDamagedError);

    const auto check = check_journal(options.dir);
    CHECK_FALSE(check.is_intact());
    REQUIRE(check.segments.at(0).damaged.size() == 1);
    const auto& range = check.segments[0].damaged[0];
    CHECK(range.offset == damaged_at.offset);
    CHECK(range.length == 8 + damaged_at.size);
    CHECK(range.reason == "a record whose checksum does not match");
    for (std::size_t index = 1; index < check.segments.size(); ++index) {
        CHECK(check.segments[index].damaged.empty());
    }

    const auto repair = repair_journal(options.dir);
    REQUIRE(repair.repaired.size() == 1);
    CHECK(repair.repaired[0].file == file);
    CHECK(repair.repaired[0].bytes_dropped == 8 + damaged_at.size);
    CHECK(read_file(repair.repaired[0].kept_as).size() == original.size());
    CHECK(repair.repaired[0].kept_as.filename().string() == file.filename().string() + ".damaged");
    CHECK(check_journal(options.dir).is_intact());

    auto expected = bodies;
    expected.erase(expected.begin() + damaged_index);
    CHECK(open_journal(options).bodies() == expected);
}

TEST_CASE("Journal repair: resynchronises past several damages, a torn end and a bad header") {
    JournalTempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    std::vector<std::string> bodies;
    const auto locations = write_records(options, 50, bodies);
    std::vector<int> lost;
    // Record 2 cut in the middle: its length now runs into record 3's bytes.
    overwrite(segment_path(options.dir, 1), locations[2].offset,
              std::string("\x00\x00\x01\x00", 4));
    lost.push_back(2);
    // Zeros over records 7 and 8 (in segment 1 or 2).
    overwrite(segment_path(options.dir, locations[7].segment), locations[7].offset,
              std::string(8 + 200, '\0'));
    lost.push_back(7);
    if (locations[8].segment == locations[7].segment &&
        locations[8].offset < locations[7].offset + 208) {
        lost.push_back(8);
    }
    // A broken header on segment 2; its first record stays readable.
    overwrite(segment_path(options.dir, 2), 0, "NOTAJRNL");
    // Garbage at the end of the newest segment.
    const auto newest = segment_files(options.dir).back();
    append_to_file(newest, "\x13\x00\x00\x00 torn");

    const auto check = check_journal(options.dir);
    CHECK_FALSE(check.is_intact());
    CHECK(check.segments.at(1).damaged.at(0).offset == 0);
    CHECK(check.segments.at(1).damaged.at(0).length == 16);
    CHECK(check.segments.back().damaged.back().offset ==
          locations.back().offset + 8 + locations.back().size);

    repair_journal(options.dir);
    CHECK(check_journal(options.dir).is_intact());
    std::vector<std::string> expected;
    for (int index = 0; index < 50; ++index) {
        if (std::find(lost.begin(), lost.end(), index) == lost.end())
            expected.push_back(bodies[index]);
    }
    CHECK(open_journal(options).bodies() == expected);
}

TEST_CASE("Journal check and repair refuse while a Journal holds the lock") {
    JournalTempDir dir;
    const auto options = journal_options(dir.path());
    const auto opened = open_journal(options);
    CHECK_THROWS_AS(check_journal(options.dir), JournalLockedError);
    CHECK_THROWS_AS(repair_journal(options.dir), JournalLockedError);
    CHECK_THROWS_AS(check_journal(options.dir / "missing"), std::system_error);
}

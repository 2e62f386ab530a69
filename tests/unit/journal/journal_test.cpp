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

#include <algorithm>
#include <csignal>
#include <functional>
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
    JournalTempDir dir;
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
    JournalTempDir dir;
    const auto options = journal_options(dir.path());
    {
        auto opened = open_journal(options);
        opened.journal->append({"committed"});
        REQUIRE_FALSE(opened.journal->commit());
        opened.journal->append({"never committed"});
    }
    CHECK(open_journal(options).bodies() == std::vector<std::string>{"committed"});
}

TEST_CASE("Journal: write() puts records in the file and leaves their sync to the next commit") {
    JournalTempDir dir;
    auto options = journal_options(dir.path());
    options.sync = JournalSync::always;
    {
        auto opened = open_journal(options);
        auto& journal = *opened.journal;
        journal.append({"written"});
        REQUIRE_FALSE(journal.write());
        CHECK_FALSE(journal.has_pending());
        CHECK(journal.has_unsynced());
        // With nothing pending, commit() syncs what write() wrote.
        REQUIRE_FALSE(journal.commit());
        CHECK_FALSE(journal.has_unsynced());
        journal.append({"written, never synced"});
        REQUIRE_FALSE(journal.write());
        CHECK(journal.has_unsynced());
    }
    // A process that ends (or dies) after write() leaves its records to the next start.
    CHECK(open_journal(options).bodies() ==
          std::vector<std::string>{"written", "written, never synced"});
    options.sync = JournalSync::interval;
    auto opened = open_journal(options);
    opened.journal->append({"interval"});
    REQUIRE_FALSE(opened.journal->write());
    CHECK_FALSE(opened.journal->has_unsynced());  // interval mode's own timer syncs it
}

TEST_CASE("Journal: an empty record is refused") {
    JournalTempDir dir;
    auto opened = open_journal(journal_options(dir.path()));
    CHECK_THROWS_AS(opened.journal->append({"", ""}), std::invalid_argument);
    CHECK_FALSE(opened.journal->has_pending());
}

TEST_CASE("Journal: segments roll over at segment_bytes and replay keeps order across them") {
    JournalTempDir dir;
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
    for (const auto& named_tail : tails) {
        const char* name = named_tail.first;
        const std::string& tail = named_tail.second;
        CAPTURE(name);
        JournalTempDir dir;
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
    JournalTempDir dir;
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
    JournalTempDir dir;
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
    JournalTempDir dir;
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
    JournalTempDir dir;
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

namespace {

// Runs `steps` in a forked child (so that its file size limit binds only
// there) and returns the child's exit status: 0, or the number of the first
// step that failed.
int run_in_child(const std::function<int()>& steps) {
    const pid_t child = ::fork();
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
        ::_exit(steps());
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

void limit_file_size(rlim_t bytes) {
    rlimit limit{};
    ::getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
}

}  // namespace

TEST_CASE("Journal: a failed commit drops its batch, cuts the file back, and later commits work") {
    JournalTempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    const std::string big(1500, 'b');
    const int failed_step = run_in_child([&] {
        auto opened = open_journal(options);
        auto& journal = *opened.journal;
        journal.append({"before"});
        if (journal.commit()) return 1;
        const auto first = segment_files(options.dir).at(0);
        const auto committed_size = std::filesystem::file_size(first);

        // Within one segment: the write passes the limit.
        limit_file_size(committed_size + 1000);
        journal.append({"lost 1"});
        journal.append({big});
        if (journal.commit() != std::errc::file_too_large) return 2;
        if (journal.has_pending()) return 3;
        if (std::filesystem::file_size(first) != committed_size) return 4;

        // Across a rollover: segment 1 grows from 30 to 4114 bytes (past 4096,
        // within the limit), the rest goes to segment 2 and passes the limit
        // at 5040; segment 2 goes away and segment 1 is cut back.
        limit_file_size(5000);
        for (const std::size_t size : {1500, 1500, 1060, 1500, 1500, 2000}) {
            journal.append({std::string(size, 'r')});
        }
        if (!journal.commit()) return 5;
        if (segment_files(options.dir).size() != 1) return 6;
        if (std::filesystem::file_size(first) != committed_size) return 7;
        if (journal.stats().live_records != 1) return 8;

        limit_file_size(RLIM_INFINITY);
        journal.append({"after"});
        if (journal.commit()) return 9;
        return 0;
    });
    CHECK(failed_step == 0);
    CHECK(open_journal(options).bodies() == std::vector<std::string>{"before", "after"});
}

TEST_CASE("Journal: the sync modes say when a sync is due") {
    JournalTempDir dir;
    auto options = journal_options(dir.path());

    SUBCASE("always and never leave nothing for a timer") {
        for (const auto mode : {JournalSync::always, JournalSync::never}) {
            options.sync = mode;
            auto opened = open_journal(options);
            opened.journal->append({"x"});
            REQUIRE_FALSE(opened.journal->commit());
            CHECK_FALSE(opened.journal->next_sync_due());
        }
    }
    SUBCASE("interval: a write soon after a sync waits for the interval") {
        options.sync = JournalSync::interval;
        options.sync_interval = std::chrono::hours(1);
        auto opened = open_journal(options);
        CHECK_FALSE(opened.journal->next_sync_due());
        opened.journal->append({"x"});
        REQUIRE_FALSE(opened.journal->commit());
        const auto due = opened.journal->next_sync_due();
        REQUIRE(due);
        CHECK(*due > std::chrono::steady_clock::now() + std::chrono::minutes(50));
        opened.journal->sync_if_due();
        CHECK(opened.journal->next_sync_due() == due);
    }
    SUBCASE("interval: sync_if_due syncs once the interval has passed") {
        options.sync = JournalSync::interval;
        options.sync_interval = std::chrono::milliseconds(1);
        auto opened = open_journal(options);
        opened.journal->append({"x"});
        REQUIRE_FALSE(opened.journal->commit());
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (opened.journal->next_sync_due() && std::chrono::steady_clock::now() < deadline) {
            opened.journal->sync_if_due();
        }
        CHECK_FALSE(opened.journal->next_sync_due());
    }
}

namespace {

// An owner of journal records as the control plane is one: it knows where
// each of its live records is and follows them when compaction moves them.
struct Owner {
    std::map<std::string, JournalLocation> live;  // body -> where it is

    void write(Journal& journal, const std::vector<std::string>& bodies) {
        for (const auto& body : bodies) live[body] = journal.append({body});
        REQUIRE_FALSE(journal.commit());
    }
    void forget(Journal& journal, const std::string& body) {
        journal.release(live.at(body));
        live.erase(body);
    }
    Journal::MovedFn follow() {
        return [this](std::string_view record, JournalLocation from, JournalLocation to) {
            auto& at = live.at(std::string(record));
            CHECK(at.segment == from.segment);
            CHECK(at.offset == from.offset);
            CHECK(to.size == record.size());
            at = to;
            ++moves;
        };
    }
    int moves = 0;
};

std::uint64_t sum_of_segment_sizes(const std::filesystem::path& dir) {
    std::uint64_t total = 0;
    for (const auto& file : segment_files(dir)) total += std::filesystem::file_size(file);
    return total;
}

}  // namespace

TEST_CASE("Journal: compaction deletes dead segments and moves the live rest of mostly dead ones") {
    JournalTempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    Owner owner;
    {
        auto opened = open_journal(options);
        auto& journal = *opened.journal;
        std::vector<std::string> bodies;
        for (int index = 0; index < 60; ++index) {
            bodies.push_back(record_text(index) + std::string(200, 'z'));
        }
        for (int batch = 0; batch < 6; ++batch) {
            owner.write(journal, std::vector<std::string>(bodies.begin() + batch * 10,
                                                          bodies.begin() + batch * 10 + 10));
        }
        REQUIRE(journal.stats().segments >= 4);
        const auto live_before = journal.stats().live_records;

        // Nothing is dead yet: nothing to do.
        journal.compact(owner.follow(), 1 << 20);
        CHECK(owner.moves == 0);
        CHECK(journal.stats().segments == segment_files(options.dir).size());

        // Every record of segment 1 dead, and all but two of segment 2.
        std::vector<std::string> in_second;
        for (const auto& [body, at] : std::map(owner.live)) {
            if (at.segment == 1) owner.forget(journal, body);
            if (at.segment == 2) in_second.push_back(body);
        }
        REQUIRE(in_second.size() > 4);
        const std::vector<std::string> survivors{in_second[0], in_second[3]};
        for (const auto& body : in_second) {
            if (body != survivors[0] && body != survivors[1]) owner.forget(journal, body);
        }
        CHECK(journal.stats().live_records == owner.live.size());
        CHECK(journal.stats().live_records < live_before);

        journal.compact(owner.follow(), 1 << 20);
        CHECK(owner.moves == 2);
        for (const auto& survivor : survivors) {
            CHECK(owner.live.at(survivor).segment > 2);
        }
        const auto files = segment_files(options.dir);
        CHECK(std::find(files.begin(), files.end(), options.dir / "journal-0000000000000001.log") ==
              files.end());
        CHECK(std::find(files.begin(), files.end(), options.dir / "journal-0000000000000002.log") ==
              files.end());
        const auto stats = journal.stats();
        CHECK(stats.segments == files.size());
        CHECK(stats.disk_bytes == sum_of_segment_sizes(options.dir));
        CHECK(stats.live_records == owner.live.size());
    }
    // Replay yields exactly the live records, where the owner last saw them.
    const auto reopened = open_journal(options);
    REQUIRE(reopened.records.size() == owner.live.size());
    for (const auto& record : reopened.records) {
        const auto& at = owner.live.at(record.body);
        CHECK(record.at.segment == at.segment);
        CHECK(record.at.offset == at.offset);
    }
}

TEST_CASE("Journal: compaction moves at most its budget per call and finishes on later calls") {
    JournalTempDir dir;
    const auto options = journal_options(dir.path(), 4096);
    Owner owner;
    auto opened = open_journal(options);
    auto& journal = *opened.journal;
    std::vector<std::string> bodies;
    for (int index = 0; index < 40; ++index) {
        bodies.push_back(record_text(index) + std::string(300, 'q'));
    }
    owner.write(journal, bodies);
    REQUIRE(journal.stats().segments >= 3);
    // Keep every fourth record of segment 1: a quarter live.
    int kept = 0, seen = 0;
    for (const auto& body : bodies) {
        if (owner.live.at(body).segment != 1) continue;
        if (seen++ % 4 == 0) {
            ++kept;
        } else {
            owner.forget(journal, body);
        }
    }
    REQUIRE(kept >= 2);
    journal.compact(owner.follow(), 1);  // at least one record moves whatever the budget
    CHECK(owner.moves == 1);
    CHECK(std::filesystem::exists(options.dir / "journal-0000000000000001.log"));
    for (int call = 0; call < kept; ++call) journal.compact(owner.follow(), 1);
    CHECK(owner.moves == kept);
    CHECK_FALSE(std::filesystem::exists(options.dir / "journal-0000000000000001.log"));
    CHECK(journal.stats().disk_bytes == sum_of_segment_sizes(options.dir));
}

TEST_CASE("Journal: a record released before its batch is committed is written dead") {
    JournalTempDir dir;
    auto opened = open_journal(journal_options(dir.path()));
    auto& journal = *opened.journal;
    const auto superseded = journal.append({"accepted"});
    journal.append({"finished"});
    journal.release(superseded);
    REQUIRE_FALSE(journal.commit());
    CHECK(journal.stats().live_records == 1);
    CHECK(journal.stats().live_bytes == 8 + std::string("finished").size());
    journal.release(superseded);  // twice is harmless
    CHECK(journal.stats().live_records == 1);
}

// journal_command.cpp -- `fastqueue journal check DIR` and `fastqueue journal
// repair DIR`: the report of a journal's intact records and damaged ranges,
// and its salvage (journal/journal_check.hpp). Exit codes: check 0 intact,
// 1 damage found; repair 0 once the journal is intact; both 2 for usage and
// I/O errors, and while a control plane holds the journal.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "journal/journal.hpp"
#include "journal/journal_check.hpp"

namespace fastqueue::cli {
namespace {

struct JournalFlags {
    std::string dir;
    bool is_json = false;
};

nlohmann::json check_json(const journal::JournalCheck& check) {
    auto segments = nlohmann::json::array();
    for (const auto& segment : check.segments) {
        auto damaged = nlohmann::json::array();
        for (const auto& range : segment.damaged) {
            damaged.push_back(
                {{"offset", range.offset}, {"length", range.length}, {"reason", range.reason}});
        }
        segments.push_back({{"file", segment.file.string()},
                            {"number", segment.number},
                            {"bytes", segment.file_bytes},
                            {"records", segment.records},
                            {"record_bytes", segment.record_bytes},
                            {"damaged", damaged}});
    }
    return {{"dir", check.dir.string()}, {"intact", check.is_intact()}, {"segments", segments}};
}

// One line for the journal, then one per segment and one per damaged range:
//   journal /var/lib/fastqueue/journal: 2 segments, 1200 records, 1 damaged range
//     journal-0000000000000001.log: 600 records (19200 record bytes) in 24016 bytes, intact
//     journal-0000000000000002.log: 599 records (...) in ... bytes, 1 damaged range:
//       bytes 4096..4136 (40 bytes): a record whose checksum does not match
void print_check_text(const journal::JournalCheck& check) {
    std::uint64_t records = 0, ranges = 0;
    for (const auto& segment : check.segments) {
        records += segment.records;
        ranges += segment.damaged.size();
    }
    std::cout << "journal " << check.dir.string() << ": " << check.segments.size()
              << (check.segments.size() == 1 ? " segment, " : " segments, ") << records
              << " intact records, " << ranges
              << (ranges == 1 ? " damaged range\n" : " damaged ranges\n");
    for (const auto& segment : check.segments) {
        std::cout << "  " << segment.file.filename().string() << ": " << segment.records
                  << " records (" << segment.record_bytes << " record bytes) in "
                  << segment.file_bytes << " bytes, ";
        if (segment.damaged.empty()) {
            std::cout << "intact\n";
            continue;
        }
        std::cout << segment.damaged.size()
                  << (segment.damaged.size() == 1 ? " damaged range:\n" : " damaged ranges:\n");
        for (const auto& range : segment.damaged) {
            std::cout << "    bytes " << range.offset << ".." << range.offset + range.length << " ("
                      << range.length << " bytes): " << range.reason << "\n";
        }
    }
}

int run_check(const JournalFlags& flags) {
    try {
        const auto check = journal::check_journal(flags.dir);
        if (flags.is_json) {
            std::cout << check_json(check).dump() << "\n";
        } else {
            print_check_text(check);
            if (!check.is_intact()) {
                std::cout << "run `fastqueue journal repair " << flags.dir
                          << "` to keep every intact record (stop the control plane first)\n";
            }
        }
        return check.is_intact() ? kExitOk : kExitFailure;
    } catch (const std::exception& error) {
        std::cerr << "fastqueue journal check: " << error.what() << "\n";
        return kExitUsage;
    }
}

int run_repair(const JournalFlags& flags) {
    try {
        const auto repair = journal::repair_journal(flags.dir);
        if (flags.is_json) {
            auto repaired = nlohmann::json::array();
            for (const auto& segment : repair.repaired) {
                repaired.push_back({{"file", segment.file.string()},
                                    {"kept_as", segment.kept_as.string()},
                                    {"records_kept", segment.records_kept},
                                    {"bytes_dropped", segment.bytes_dropped}});
            }
            std::cout << nlohmann::json{{"dir", flags.dir},
                                        {"intact", true},
                                        {"before", check_json(repair.before)},
                                        {"repaired", repaired}}
                             .dump()
                      << "\n";
            return kExitOk;
        }
        print_check_text(repair.before);
        if (repair.repaired.empty()) std::cout << "nothing to repair: the journal is intact\n";
        for (const auto& segment : repair.repaired) {
            std::cout << "repaired " << segment.file.filename().string() << ": kept "
                      << segment.records_kept << " records, dropped " << segment.bytes_dropped
                      << " bytes; the original is kept as " << segment.kept_as.filename().string()
                      << "\n";
        }
        return kExitOk;
    } catch (const std::exception& error) {
        std::cerr << "fastqueue journal repair: " << error.what() << "\n";
        return kExitUsage;
    }
}

CLI::App* add_journal_subcommand(CLI::App& journal, const char* name, const char* description,
                                 JournalFlags& flags) {
    auto* subcommand = journal.add_subcommand(name, description);
    subcommand->add_option("DIR", flags.dir, "The journal directory (--journal-dir)")->required();
    subcommand->add_flag("--json", flags.is_json, "Print the report as one JSON object");
    return subcommand;
}

}  // namespace

Command add_journal_command(CLI::App& app) {
    auto* journal = app.add_subcommand(
        "journal", "Check or repair a control plane's journal (while no control plane holds it)");
    journal->require_subcommand(1);
    auto check_flags = std::make_shared<JournalFlags>();
    auto repair_flags = std::make_shared<JournalFlags>();
    auto* check = add_journal_subcommand(
        *journal, "check",
        "Report every segment's intact records and damaged ranges (exit 1 on damage)",
        *check_flags);
    add_journal_subcommand(*journal, "repair",
                           "Rewrite damaged segments keeping every intact record; the originals "
                           "are kept as <name>.damaged",
                           *repair_flags);
    return Command{journal, [=] {
                       return check->parsed() ? run_check(*check_flags) : run_repair(*repair_flags);
                   }};
}

}  // namespace fastqueue::cli

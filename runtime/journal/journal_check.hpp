// journal_check.hpp -- `fastqueue journal check DIR` and `repair DIR`: what
// survives in a journal that refuses to open, and salvaging it.
//
// Both take the journal's lock first, so they refuse (JournalLockedError)
// while a control plane holds it. check reads every segment and reports its
// intact records and each damaged range; a reader resynchronises after damage
// on the next offset where a frame with a valid length and checksum starts.
// repair rewrites each damaged segment with exactly its intact frames (in
// their order, byte for byte) under a temporary name, keeps the original as
// "<name>.damaged" (".damaged.N" when that exists) and renames the rewrite
// into place, so a crash in the middle leaves either the old or the new file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fastqueue::journal {

struct DamagedRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::string reason;  // what the first byte of the range failed as
};

struct SegmentCheck {
    std::filesystem::path file;
    std::uint64_t number = 0;
    std::uint64_t file_bytes = 0;
    std::uint64_t records = 0;       // intact records
    std::uint64_t record_bytes = 0;  // their bodies' bytes
    std::vector<DamagedRange> damaged;
};

struct JournalCheck {
    std::filesystem::path dir;
    std::vector<SegmentCheck> segments;  // lowest number first
    bool is_intact() const;
};

// Throws JournalLockedError while another process holds the lock, and
// std::system_error when DIR or a segment cannot be read.
JournalCheck check_journal(const std::filesystem::path& dir);

struct RepairedSegment {
    std::filesystem::path file;
    std::filesystem::path kept_as;  // the damaged original
    std::uint64_t records_kept = 0;
    std::uint64_t bytes_dropped = 0;
};

struct JournalRepair {
    JournalCheck before;
    std::vector<RepairedSegment> repaired;  // empty when the journal was intact
};

// Throws as check_journal does; the journal is intact afterwards.
JournalRepair repair_journal(const std::filesystem::path& dir);

}  // namespace fastqueue::journal

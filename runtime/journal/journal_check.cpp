// journal_check.cpp -- check and repair: scanning every segment with
// resynchronisation after damage, and rewriting damaged segments.
#include "journal/journal_check.hpp"

#include <sys/uio.h>

#include <string_view>
#include <system_error>

#include "journal/journal_lock.hpp"
#include "journal/journal_segment.hpp"

namespace fastqueue::journal {
namespace {

// Calls on_frame(frame_offset, frame_bytes) for each intact frame of a
// segment and returns its damaged ranges.
template <typename OnFrame>
std::vector<DamagedRange> scan_segment(std::string_view bytes, OnFrame&& on_frame) {
    std::vector<DamagedRange> damaged;
    std::uint64_t offset = kSegmentHeaderBytes;
    if (const auto fault = check_segment_header(bytes)) {
        if (bytes.size() < kSegmentHeaderBytes) return {{0, bytes.size(), *fault}};
        damaged.push_back({0, kSegmentHeaderBytes, *fault});
        if (decode_frame(bytes.substr(offset)).fault) {
            const auto next = find_next_frame(bytes, offset);
            if (!next) {
                damaged.back().length = bytes.size();
                return damaged;
            }
            damaged.back().length = *next;
            offset = *next;
        }
    }
    while (true) {
        const auto stop = scan_frames(bytes, offset, [&](std::string_view body, std::uint64_t at) {
            on_frame(at, kFrameHeaderBytes + body.size());
        });
        if (!stop.fault) return damaged;
        const auto next = find_next_frame(bytes, stop.offset + 1);
        const std::uint64_t end = next.value_or(bytes.size());
        damaged.push_back({stop.offset, end - stop.offset, describe(*stop.fault)});
        if (!next) return damaged;
        offset = *next;
    }
}

SegmentCheck check_segment(const SegmentPath& segment, std::string_view bytes) {
    SegmentCheck check{segment.file, segment.number, bytes.size(), 0, 0, {}};
    check.damaged = scan_segment(bytes, [&](std::uint64_t, std::uint64_t frame_bytes) {
        ++check.records;
        check.record_bytes += frame_bytes - kFrameHeaderBytes;
    });
    return check;
}

std::filesystem::path free_damaged_name(const std::filesystem::path& file) {
    auto kept = file;
    kept += ".damaged";
    for (int suffix = 1; std::filesystem::exists(kept); ++suffix) {
        kept = file;
        kept += ".damaged." + std::to_string(suffix);
    }
    return kept;
}

// Writes the intact frames of a damaged segment into a new file that takes
// its place; the original stays under a ".damaged" name.
RepairedSegment rewrite_segment(const std::filesystem::path& dir, const SegmentPath& segment) {
    const MappedFile mapped(segment.file);
    const std::string_view bytes = mapped.bytes();
    std::vector<iovec> frames;
    RepairedSegment repaired{segment.file, free_damaged_name(segment.file), 0, 0};
    std::uint64_t kept_bytes = 0;
    scan_segment(bytes, [&](std::uint64_t offset, std::uint64_t frame_bytes) {
        frames.push_back({const_cast<char*>(bytes.data() + offset), frame_bytes});
        ++repaired.records_kept;
        kept_bytes += frame_bytes;
    });
    repaired.bytes_dropped =
        bytes.size() - std::min<std::uint64_t>(bytes.size(), kSegmentHeaderBytes + kept_bytes);

    // SegmentFile::create renames into place; build the rewrite under a
    // scratch directory name first so the original stays until it is kept.
    const auto scratch = dir / (segment.file.filename().string() + ".repair");
    std::filesystem::remove_all(scratch);
    std::filesystem::create_directory(scratch);
    {
        auto rewrite = SegmentFile::create(scratch, segment.number);
        auto error = rewrite.append(frames);
        if (!error) error = rewrite.sync();
        if (error) {
            throw std::system_error(error, "journal: cannot write " + rewrite.file().string());
        }
        std::filesystem::create_hard_link(segment.file, repaired.kept_as);
        std::filesystem::rename(rewrite.file(), segment.file);
    }
    std::filesystem::remove_all(scratch);
    if (const auto error = sync_directory(dir)) {
        throw std::system_error(error, "journal: cannot sync " + dir.string());
    }
    return repaired;
}

JournalCheck check_locked(const std::filesystem::path& dir) {
    JournalCheck check{dir, {}};
    for (const auto& segment : list_segments(dir)) {
        const MappedFile mapped(segment.file);
        check.segments.push_back(check_segment(segment, mapped.bytes()));
    }
    return check;
}

}  // namespace

bool JournalCheck::is_intact() const {
    for (const auto& segment : segments) {
        if (!segment.damaged.empty()) return false;
    }
    return true;
}

JournalCheck check_journal(const std::filesystem::path& dir) {
    if (!std::filesystem::is_directory(dir)) {
        throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory),
                                "journal: " + dir.string() + " is not a directory");
    }
    const DirectoryLock lock(dir);
    return check_locked(dir);
}

JournalRepair repair_journal(const std::filesystem::path& dir) {
    if (!std::filesystem::is_directory(dir)) {
        throw std::system_error(std::make_error_code(std::errc::no_such_file_or_directory),
                                "journal: " + dir.string() + " is not a directory");
    }
    const DirectoryLock lock(dir);
    JournalRepair repair{check_locked(dir), {}};
    for (const auto& segment : repair.before.segments) {
        if (segment.damaged.empty()) continue;
        repair.repaired.push_back(rewrite_segment(dir, {segment.number, segment.file}));
    }
    return repair;
}

}  // namespace fastqueue::journal

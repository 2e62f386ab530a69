// journal_segment.hpp -- one segment file of the journal: its name, its
// header, appending frames to it, cutting it back, and reading its frames.
//
// A segment is DIR/journal-<16 lowercase hex digits>.log, numbered upwards
// from 1. It starts with a 16-byte header: the magic "FQJOURN1", the format
// version (u32 LE, kSegmentFormatVersion) and 4 reserved zero bytes; frames
// (journal_frame.hpp) follow back to back. A new segment is written under a
// temporary name (".tmp" appended), synced and renamed, so a segment file
// always has a whole header.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "journal/journal_frame.hpp"

namespace fastqueue::journal {

inline constexpr std::size_t kSegmentHeaderBytes = 16;
inline constexpr std::uint32_t kSegmentFormatVersion = 1;
inline constexpr std::string_view kSegmentMagic = "FQJOURN1";
inline constexpr std::string_view kTemporarySuffix = ".tmp";

std::string segment_file_name(std::uint64_t number);
// The number in a segment file name, or nothing for any other name.
std::optional<std::uint64_t> parse_segment_file_name(std::string_view name);

struct SegmentPath {
    std::uint64_t number = 0;
    std::filesystem::path file;
};
// The segment files of `dir`, lowest number first. Throws std::system_error.
std::vector<SegmentPath> list_segments(const std::filesystem::path& dir);

// Makes the directory's entries (a created, renamed or removed file) durable.
std::error_code sync_directory(const std::filesystem::path& dir);

// Why the header is not a segment header, or nothing when it is one.
std::optional<std::string> check_segment_header(std::string_view file_bytes);

// An open segment file that frames are appended to. Move-only; closes on destruction.
class SegmentFile {
public:
    // Writes a new segment (header only) under a temporary name, syncs it,
    // renames it into place and syncs the directory. Throws std::system_error.
    static SegmentFile create(const std::filesystem::path& dir, std::uint64_t number);
    // Opens an existing segment for appending at `size` (its intact length).
    static SegmentFile open(const std::filesystem::path& file, std::uint64_t number,
                            std::uint64_t size);
    SegmentFile(SegmentFile&& other) noexcept;
    SegmentFile& operator=(SegmentFile&& other) noexcept;
    SegmentFile(const SegmentFile&) = delete;
    SegmentFile& operator=(const SegmentFile&) = delete;
    ~SegmentFile();

    std::uint64_t number() const { return number_; }
    const std::filesystem::path& file() const { return file_; }
    // Bytes of the file that hold whole frames (the header included).
    std::uint64_t size() const { return size_; }

    // Writes the buffers at the end (size()) with pwritev, resuming after
    // short writes; on success size() grows by their total. On failure size()
    // is unchanged and the bytes behind it are undefined until truncate_to_size().
    std::error_code append(std::span<const iovec> buffers);
    // Cuts the file back to size() (after a failed append).
    std::error_code truncate_to_size();
    // Cuts the file to `size` bytes, which becomes size().
    std::error_code truncate(std::uint64_t size);
    std::error_code sync();  // fdatasync

private:
    SegmentFile(int fd, std::filesystem::path file, std::uint64_t number, std::uint64_t size);
    int fd_ = -1;
    std::filesystem::path file_;
    std::uint64_t number_ = 0;
    std::uint64_t size_ = 0;
};

// A whole file mapped read-only (empty files map to an empty view).
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& file);  // throws std::system_error
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();
    std::string_view bytes() const { return {data_, size_}; }

private:
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

// Where reading a segment's frames stopped.
struct ScanStop {
    std::uint64_t offset = 0;         // the end of the last intact frame
    std::optional<FrameFault> fault;  // empty when that is the end of the bytes
};
// Calls on_record(body, frame_offset) for each intact frame of `file_bytes`
// from `offset` on, in order, until the end or the first frame that is not
// intact.
ScanStop scan_frames(std::string_view file_bytes, std::uint64_t offset,
                     const std::function<void(std::string_view, std::uint64_t)>& on_record);
// The offset of the first intact frame at or after `offset` (trying each
// byte), or nothing when none follows: how a reader resynchronises after damage.
std::optional<std::uint64_t> find_next_frame(std::string_view file_bytes, std::uint64_t offset);

}  // namespace fastqueue::journal

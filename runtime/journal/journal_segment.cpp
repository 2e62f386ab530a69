// journal_segment.cpp -- segment files: names, headers, appends with pwritev,
// truncation, mapping for reads, and frame scanning.
#include "journal/journal_segment.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <utility>

namespace fastqueue::journal {
namespace {

constexpr std::string_view kNamePrefix = "journal-";
constexpr std::string_view kNameSuffix = ".log";
constexpr std::size_t kNumberDigits = 16;

std::error_code last_error() { return {errno, std::system_category()}; }

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(last_error(), what);
}

}  // namespace

std::string segment_file_name(std::uint64_t number) {
    char name[64];
    std::snprintf(name, sizeof name, "journal-%016llx.log",
                  static_cast<unsigned long long>(number));
    return name;
}

std::optional<std::uint64_t> parse_segment_file_name(std::string_view name) {
    if (name.size() != kNamePrefix.size() + kNumberDigits + kNameSuffix.size()) return {};
    if (!name.starts_with(kNamePrefix) || !name.ends_with(kNameSuffix)) return {};
    std::uint64_t number = 0;
    for (char digit : name.substr(kNamePrefix.size(), kNumberDigits)) {
        int value;
        if (digit >= '0' && digit <= '9') {
            value = digit - '0';
        } else if (digit >= 'a' && digit <= 'f') {
            value = digit - 'a' + 10;
        } else {
            return {};
        }
        number = (number << 4) | static_cast<std::uint64_t>(value);
    }
    return number;
}

std::vector<SegmentPath> list_segments(const std::filesystem::path& dir) {
    std::vector<SegmentPath> segments;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto number = parse_segment_file_name(entry.path().filename().native());
        if (number && entry.is_regular_file()) segments.push_back({*number, entry.path()});
    }
    std::sort(segments.begin(), segments.end(),
              [](const SegmentPath& a, const SegmentPath& b) { return a.number < b.number; });
    return segments;
}

std::error_code sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return last_error();
    std::error_code error;
    if (::fsync(fd) != 0) error = last_error();
    ::close(fd);
    return error;
}

std::optional<std::string> check_segment_header(std::string_view file_bytes) {
    if (file_bytes.size() < kSegmentHeaderBytes) return "the segment header is incomplete";
    if (file_bytes.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
        return "the file does not start with the segment magic \"FQJOURN1\"";
    }
    const std::uint32_t version = load_u32_le(file_bytes.data() + kSegmentMagic.size());
    if (version != kSegmentFormatVersion) {
        return "unknown segment format version " + std::to_string(version);
    }
    return std::nullopt;
}

SegmentFile::SegmentFile(int fd, std::filesystem::path file, std::uint64_t number,
                         std::uint64_t size)
    : fd_(fd), file_(std::move(file)), number_(number), size_(size) {}

SegmentFile::SegmentFile(SegmentFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      file_(std::move(other.file_)),
      number_(other.number_),
      size_(other.size_) {}

SegmentFile& SegmentFile::operator=(SegmentFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        file_ = std::move(other.file_);
        number_ = other.number_;
        size_ = other.size_;
    }
    return *this;
}

SegmentFile::~SegmentFile() {
    if (fd_ >= 0) ::close(fd_);
}

SegmentFile SegmentFile::create(const std::filesystem::path& dir, std::uint64_t number) {
    const auto file = dir / segment_file_name(number);
    auto temporary = file;
    temporary += kTemporarySuffix;
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("journal: cannot create " + temporary.string());
    SegmentFile segment(fd, temporary, number, 0);
    char header[kSegmentHeaderBytes] = {};
    std::memcpy(header, kSegmentMagic.data(), kSegmentMagic.size());
    store_u32_le(header + kSegmentMagic.size(), kSegmentFormatVersion);
    const iovec buffer{header, sizeof header};
    auto error = segment.append({&buffer, 1});
    if (!error) error = segment.sync();
    if (!error && ::rename(temporary.c_str(), file.c_str()) != 0) error = last_error();
    if (!error) error = sync_directory(dir);
    if (error) {
        ::unlink(temporary.c_str());
        throw std::system_error(error, "journal: cannot create " + file.string());
    }
    segment.file_ = file;
    return segment;
}

SegmentFile SegmentFile::open(const std::filesystem::path& file, std::uint64_t number,
                              std::uint64_t size) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("journal: cannot open " + file.string());
    return SegmentFile(fd, file, number, size);
}

std::error_code SegmentFile::append(std::span<const iovec> buffers) {
    // pwritev may write less than asked (a signal, a file size limit); resume
    // from the first byte not written, at most IOV_MAX buffers at a time.
    std::vector<iovec> rest(buffers.begin(), buffers.end());
    std::size_t first = 0;
    std::uint64_t offset = size_;
    while (first < rest.size()) {
        const int count = static_cast<int>(std::min<std::size_t>(rest.size() - first, IOV_MAX));
        const ssize_t written =
            ::pwritev(fd_, rest.data() + first, count, static_cast<off_t>(offset));
        if (written < 0) {
            if (errno == EINTR) continue;
            return last_error();
        }
        if (written == 0) return std::make_error_code(std::errc::io_error);
        offset += static_cast<std::uint64_t>(written);
        auto left = static_cast<std::size_t>(written);
        while (first < rest.size() && left >= rest[first].iov_len) {
            left -= rest[first].iov_len;
            ++first;
        }
        if (left > 0) {
            rest[first].iov_base = static_cast<char*>(rest[first].iov_base) + left;
            rest[first].iov_len -= left;
        }
    }
    size_ = offset;
    return {};
}

std::error_code SegmentFile::truncate_to_size() { return truncate(size_); }

std::error_code SegmentFile::truncate(std::uint64_t size) {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
        if (errno != EINTR) return last_error();
    }
    size_ = size;
    return {};
}

std::error_code SegmentFile::sync() {
    while (::fdatasync(fd_) != 0) {
        if (errno != EINTR) return last_error();
    }
    return {};
}

MappedFile::MappedFile(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("journal: cannot open " + file.string());
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        const auto error = last_error();
        ::close(fd);
        throw std::system_error(error, "journal: cannot read " + file.string());
    }
    size_ = static_cast<std::size_t>(status.st_size);
    if (size_ > 0) {
        void* data = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED) {
            const auto error = last_error();
            ::close(fd);
            throw std::system_error(error, "journal: cannot map " + file.string());
        }
        ::madvise(data, size_, MADV_SEQUENTIAL);
        data_ = static_cast<const char*>(data);
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

ScanStop scan_frames(std::string_view file_bytes, std::uint64_t offset,
                     const std::function<void(std::string_view, std::uint64_t)>& on_record) {
    while (offset < file_bytes.size()) {
        const auto frame = decode_frame(file_bytes.substr(offset));
        if (frame.fault) return {offset, frame.fault};
        on_record(frame.body, offset);
        offset += frame.frame_bytes();
    }
    return {offset, std::nullopt};
}

std::optional<std::uint64_t> find_next_frame(std::string_view file_bytes, std::uint64_t offset) {
    for (; offset + kFrameHeaderBytes <= file_bytes.size(); ++offset) {
        if (!decode_frame(file_bytes.substr(offset)).fault) return offset;
    }
    return std::nullopt;
}

}  // namespace fastqueue::journal

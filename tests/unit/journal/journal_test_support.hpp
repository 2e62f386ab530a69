// journal_test_support.hpp -- what the journal's tests share: a temporary
// directory removed afterwards, whole-file reads and in-place damage, and a
// replay that collects every record with its location.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "journal/journal.hpp"

namespace fastqueue::test {

class JournalTempDir {
public:
    JournalTempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "fastqueue_journal_test_XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~JournalTempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    JournalTempDir(const JournalTempDir&) = delete;
    JournalTempDir& operator=(const JournalTempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& file, std::string_view bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

// Overwrites bytes of an existing file at `offset`.
inline void overwrite(const std::filesystem::path& file, std::uint64_t offset,
                      std::string_view bytes) {
    std::fstream out(file, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(static_cast<std::streamoff>(offset));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void append_to_file(const std::filesystem::path& file, std::string_view bytes) {
    std::ofstream(file, std::ios::binary | std::ios::app).write(bytes.data(), bytes.size());
}

struct ReplayedRecord {
    std::string body;
    JournalLocation at;
};

// Opens the journal and keeps every replayed record.
struct OpenedJournal {
    std::unique_ptr<Journal> journal;
    std::vector<ReplayedRecord> records;

    std::vector<std::string> bodies() const {
        std::vector<std::string> out;
        for (const auto& record : records) out.push_back(record.body);
        return out;
    }
};

inline OpenedJournal open_journal(const JournalOptions& options) {
    OpenedJournal opened;
    opened.journal = Journal::open(options, [&](std::string_view body, JournalLocation at) {
        opened.records.push_back({std::string(body), at});
    });
    return opened;
}

inline JournalOptions journal_options(const std::filesystem::path& dir,
                                      std::uint64_t segment_bytes = 64ull << 20) {
    JournalOptions options;
    options.dir = dir;
    options.segment_bytes = segment_bytes;
    return options;
}

// The segment files of a journal directory, lowest number first.
inline std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with("journal-") && name.ends_with(".log")) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace fastqueue::test

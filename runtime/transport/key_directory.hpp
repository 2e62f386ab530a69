// key_directory.hpp -- an allow-list of CURVE public keys: a directory of
// public certificate files (`*.key`, as `fastqueue keygen` writes them).
// Adding a file admits its key and removing it revokes the key, without a
// restart: the directory is looked at again when asked, at most once per
// kRescanInterval, and read again when its list of .key files, their sizes
// or their modification times changed. A file that is not a valid
// certificate is skipped with one warning per change of the directory.
// Not thread-safe: one owner (the ZAP handler's thread).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <unordered_set>
#include <vector>

namespace fastqueue {

class KeyDirectory {
public:
    using Clock = std::chrono::steady_clock;
    // How stale the key set may be: a revoked key is refused at most this
    // long after its file is removed.
    static constexpr auto kRescanInterval = std::chrono::seconds(1);

    // Reads the directory now. Throws std::runtime_error naming it when it
    // does not exist or is not a directory (a later disappearance empties
    // the set and is logged instead).
    explicit KeyDirectory(std::filesystem::path dir);

    // Whether public_key (Z85) has a certificate in the directory, as of a
    // scan at most kRescanInterval before `now`.
    bool contains(const std::string& public_key, Clock::time_point now);

    const std::filesystem::path& dir() const { return dir_; }
    std::size_t size() const { return keys_.size(); }

private:
    // One .key file as the change check sees it.
    struct Entry {
        std::string name;
        std::filesystem::file_time_type modified;
        std::uintmax_t size;
        bool operator==(const Entry&) const = default;
    };
    std::vector<Entry> list_entries() const;
    void rescan(Clock::time_point now);

    std::filesystem::path dir_;
    std::vector<Entry> entries_;
    std::unordered_set<std::string> keys_;
    Clock::time_point scanned_;
    bool is_missing_logged_ = false;
};

}  // namespace fastqueue

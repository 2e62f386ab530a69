// key_directory.cpp -- see key_directory.hpp.
#include "transport/key_directory.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "transport/curve_certificate.hpp"

namespace fastqueue {

namespace {

// More files than any allow-list has; the rest are ignored with a warning,
// so that a wrong directory (say /usr/lib) costs a bounded scan.
constexpr std::size_t kMaxKeyFiles = 10000;

}  // namespace

KeyDirectory::KeyDirectory(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::error_code error;
    if (!std::filesystem::is_directory(dir_, error)) {
        throw std::runtime_error("allow-list directory " + dir_.string() +
                                 " does not exist or is not a directory");
    }
    rescan(Clock::now());
}

std::vector<KeyDirectory::Entry> KeyDirectory::list_entries() const {
    std::vector<Entry> entries;
    std::error_code error;
    std::filesystem::directory_iterator it(dir_, error);
    for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
        if (it->path().extension() != ".key") continue;
        std::error_code entry_error;
        if (!it->is_regular_file(entry_error)) continue;
        if (entries.size() == kMaxKeyFiles) {
            spdlog::warn("allow-list {}: more than {} .key files; the rest are ignored",
                         dir_.string(), kMaxKeyFiles);
            break;
        }
        entries.push_back({it->path().filename().string(), it->last_write_time(entry_error),
                           it->file_size(entry_error)});
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return entries;
}

void KeyDirectory::rescan(Clock::time_point now) {
    scanned_ = now;
    std::error_code error;
    if (!std::filesystem::is_directory(dir_, error)) {
        if (!is_missing_logged_) {
            spdlog::error("allow-list {} is gone: every key it admitted is refused", dir_.string());
        }
        is_missing_logged_ = true;
        entries_.clear();
        keys_.clear();
        return;
    }
    is_missing_logged_ = false;
    std::vector<Entry> entries = list_entries();
    if (entries == entries_ && !entries.empty()) return;
    std::unordered_set<std::string> keys;
    for (const Entry& entry : entries) {
        const std::string path = (dir_ / entry.name).string();
        try {
            keys.insert(read_curve_public_key(path));
        } catch (const CurveCertificateError& certificate_error) {
            spdlog::warn("allow-list: skipped {}", certificate_error.what());
        }
    }
    if (keys != keys_) {
        spdlog::info("allow-list {}: {} key(s)", dir_.string(), keys.size());
    }
    entries_ = std::move(entries);
    keys_ = std::move(keys);
}

bool KeyDirectory::contains(const std::string& public_key, Clock::time_point now) {
    if (now - scanned_ >= kRescanInterval) rescan(now);
    return keys_.count(public_key) != 0;
}

}  // namespace fastqueue

// journal_lock.cpp -- DirectoryLock: flock on DIR/LOCK and the holder's line.
#include "journal/journal_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "journal/journal.hpp"

namespace fastqueue::journal {
namespace {

// The holder's line as it stands in the file ("pid N host H"), or what to
// say when it is empty (the holder has not written it yet).
std::string read_holder(int fd) {
    char text[512];
    const ssize_t size = ::pread(fd, text, sizeof text - 1, 0);
    std::string holder = size > 0 ? std::string(text, static_cast<std::size_t>(size)) : "";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    const auto host = holder.find(" host ");
    if (!holder.starts_with("pid ") || host == std::string::npos) {
        return "another process (it has not written its pid yet)";
    }
    return holder.substr(0, host) + " on" + holder.substr(host);
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
    return name;
}

}  // namespace

DirectoryLock::DirectoryLock(const std::filesystem::path& dir) {
    const auto file = dir / "LOCK";
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        throw std::system_error(errno, std::system_category(),
                                "journal: cannot open " + file.string());
    }
    int result;
    while ((result = ::flock(fd_, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (result != 0) {
        const int error = errno;
        const std::string holder = error == EWOULDBLOCK ? read_holder(fd_) : "";
        ::close(fd_);
        if (error == EWOULDBLOCK) {
            throw JournalLockedError("journal " + dir.string() + " is in use by " + holder);
        }
        throw std::system_error(error, std::system_category(),
                                "journal: cannot lock " + file.string());
    }
    const std::string line = "pid " + std::to_string(::getpid()) + " host " + host_name() + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
        const int error = errno;
        ::close(fd_);
        throw std::system_error(error, std::system_category(),
                                "journal: cannot write " + file.string());
    }
}

DirectoryLock::~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace fastqueue::journal

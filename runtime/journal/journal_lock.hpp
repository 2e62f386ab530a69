// journal_lock.hpp -- one writer per journal directory: DIR/LOCK held with
// flock(LOCK_EX | LOCK_NB) for as long as the DirectoryLock lives.
//
// The holder writes "pid <PID> host <HOSTNAME>\n" into the file, so that a
// refused process can name it. The lock belongs to the open file description,
// so it ends with the process whatever way it dies, and a second open of the
// same file, even in the same process, is refused.
#pragma once

#include <filesystem>

namespace fastqueue::journal {

class DirectoryLock {
public:
    // Takes the lock of `dir` (creating DIR/LOCK). Throws JournalLockedError
    // ("journal DIR is in use by pid N on host H") when another holds it,
    // std::system_error when the file cannot be opened or written.
    explicit DirectoryLock(const std::filesystem::path& dir);
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;
    ~DirectoryLock();  // closing the file releases the lock

private:
    int fd_ = -1;
};

}  // namespace fastqueue::journal

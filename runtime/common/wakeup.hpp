// wakeup.hpp -- a thread-safe doorbell that a ZeroMQ poll loop can wait on.
//
// It wraps a Linux eventfd: any thread may ring(); the owning I/O thread puts
// fd() in its poll items (as a raw file descriptor) and calls drain()
// when it is readable. Many rings between two polls wake the loop once, which
// batches completions instead of paying a syscall per task on the reader side.
#pragma once

namespace fastqueue {

class Wakeup {
public:
    Wakeup();  // throws std::system_error when no eventfd can be made
    ~Wakeup();
    Wakeup(const Wakeup&) = delete;
    Wakeup& operator=(const Wakeup&) = delete;

    // Makes fd() readable. Thread-safe, never blocks.
    void ring();
    // Resets fd() to not readable. Only the owning thread calls it.
    void drain();
    int fd() const { return fd_; }

private:
    int fd_;
};

}  // namespace fastqueue

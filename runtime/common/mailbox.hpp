// mailbox.hpp -- hands items from any thread to one I/O thread.
//
// post() may be called from any thread; the owner polls wakeup_fd() and calls
// take_all() when it is readable, receiving every item posted so far in one
// batch (one lock and one syscall per batch, not per item).
#pragma once

#include <mutex>
#include <utility>
#include <vector>

#include "common/wakeup.hpp"

namespace fastqueue {

template <typename T>
class Mailbox {
public:
    void post(T item) {
        bool was_empty;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            was_empty = items_.empty();
            items_.push_back(std::move(item));
        }
        if (was_empty) wakeup_.ring();
    }

    // Swaps every posted item into `out` (which is cleared first).
    void take_all(std::vector<T>& out) {
        out.clear();
        wakeup_.drain();
        std::lock_guard<std::mutex> lock(mutex_);
        out.swap(items_);
    }

    int wakeup_fd() const { return wakeup_.fd(); }

private:
    std::mutex mutex_;
    std::vector<T> items_;  // guarded by mutex_
    Wakeup wakeup_;
};

}  // namespace fastqueue

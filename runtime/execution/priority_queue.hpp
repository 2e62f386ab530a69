// priority_queue.hpp -- the queue of waiting tasks: strict priority between
// levels (every critical item before any high one, high before normal,
// normal before low) and first in, first out within a level.
//
// Push and pop are O(1). Not thread-safe: it belongs to one role's I/O thread.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "fastqueue/task.hpp"

namespace fastqueue {

template <typename T>
class PriorityQueue {
public:
    void push(Priority priority, T item) {
        levels_[static_cast<std::size_t>(priority)].push_back(std::move(item));
        ++size_;
    }

    // Puts an item back at the head of its level (a send that failed).
    void push_front(Priority priority, T item) {
        levels_[static_cast<std::size_t>(priority)].push_front(std::move(item));
        ++size_;
    }

    // The oldest item of the highest non-empty level, or std::nullopt.
    std::optional<T> pop() {
        for (auto& level : levels_) {
            if (!level.empty()) {
                T item = std::move(level.front());
                level.pop_front();
                --size_;
                return item;
            }
        }
        return std::nullopt;
    }

    std::size_t size() const { return size_; }
    std::size_t size(Priority priority) const {
        return levels_[static_cast<std::size_t>(priority)].size();
    }
    bool empty() const { return size_ == 0; }

private:
    std::array<std::deque<T>, kPriorityCount> levels_;
    std::size_t size_ = 0;
};

}  // namespace fastqueue

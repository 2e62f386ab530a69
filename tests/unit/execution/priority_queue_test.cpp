// priority_queue_test.cpp -- PriorityQueue: the order waiting tasks start in.
// Every queued critical item before any high one, high before normal, normal
// before low; first in, first out within a level; push_front puts an item
// back at the head of its level.
#include "execution/priority_queue.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace fastqueue;

namespace {

// Pops everything, in order.
std::vector<std::string> drain(PriorityQueue<std::string>& queue) {
    std::vector<std::string> order;
    while (auto item = queue.pop()) order.push_back(*item);
    return order;
}

}  // namespace

TEST_CASE("PriorityQueue: an empty queue pops nothing") {
    PriorityQueue<std::string> queue;
    CHECK(queue.empty());
    CHECK(queue.size() == 0);
    CHECK_FALSE(queue.pop().has_value());
}

TEST_CASE(
    "PriorityQueue: every higher level drains before any lower one, whatever the push order") {
    PriorityQueue<std::string> queue;
    queue.push(Priority::low, "low-1");
    queue.push(Priority::normal, "normal-1");
    queue.push(Priority::high, "high-1");
    queue.push(Priority::low, "low-2");
    queue.push(Priority::critical, "critical-1");
    queue.push(Priority::normal, "normal-2");

    CHECK(drain(queue) == std::vector<std::string>{"critical-1", "high-1", "normal-1", "normal-2",
                                                   "low-1", "low-2"});
    CHECK(queue.empty());
}

TEST_CASE("PriorityQueue: a critical item pushed later still goes before queued normal ones") {
    PriorityQueue<std::string> queue;
    queue.push(Priority::normal, "normal-1");
    queue.push(Priority::normal, "normal-2");
    REQUIRE(queue.pop() == "normal-1");
    queue.push(Priority::critical, "critical-late");
    CHECK(drain(queue) == std::vector<std::string>{"critical-late", "normal-2"});
}

TEST_CASE("PriorityQueue: first in, first out within one level") {
    PriorityQueue<std::string> queue;
    for (int i = 0; i < 100; ++i) queue.push(Priority::high, "item-" + std::to_string(i));
    for (int i = 0; i < 100; ++i) {
        const auto item = queue.pop();
        REQUIRE(item.has_value());
        CHECK(*item == "item-" + std::to_string(i));
    }
    CHECK(queue.empty());
}

TEST_CASE("PriorityQueue: push_front puts an item back at the head of its level only") {
    PriorityQueue<std::string> queue;
    queue.push(Priority::critical, "critical-1");
    queue.push(Priority::normal, "normal-1");
    queue.push(Priority::normal, "normal-2");
    queue.push_front(Priority::normal, "normal-returned");

    CHECK(drain(queue) ==
          std::vector<std::string>{"critical-1", "normal-returned", "normal-1", "normal-2"});
}

TEST_CASE("PriorityQueue: size counts every level and size(priority) each one") {
    PriorityQueue<std::string> queue;
    queue.push(Priority::critical, "c");
    queue.push(Priority::low, "l-1");
    queue.push(Priority::low, "l-2");
    queue.push_front(Priority::high, "h");

    CHECK(queue.size() == 4);
    CHECK_FALSE(queue.empty());
    CHECK(queue.size(Priority::critical) == 1);
    CHECK(queue.size(Priority::high) == 1);
    CHECK(queue.size(Priority::normal) == 0);
    CHECK(queue.size(Priority::low) == 2);

    REQUIRE(queue.pop() == "c");
    CHECK(queue.size() == 3);
    CHECK(queue.size(Priority::critical) == 0);
    drain(queue);
    CHECK(queue.size() == 0);
    CHECK(queue.size(Priority::low) == 0);
}

TEST_CASE("PriorityQueue: holds move-only items") {
    PriorityQueue<std::unique_ptr<int>> queue;
    queue.push(Priority::normal, std::make_unique<int>(7));
    const auto item = queue.pop();
    REQUIRE(item.has_value());
    REQUIRE(*item != nullptr);
    CHECK(**item == 7);
}

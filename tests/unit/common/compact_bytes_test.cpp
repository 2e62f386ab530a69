// compact_bytes_test.cpp -- CompactBytes: inline and heap storage keep the
// exact bytes through copies and moves.
#include "common/compact_bytes.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>

using namespace fastqueue;

TEST_CASE("CompactBytes: empty by default") {
    CompactBytes bytes;
    CHECK(bytes.empty());
    CHECK(bytes.view().empty());
}

TEST_CASE("CompactBytes: keeps any length, including around the inline capacity") {
    for (std::size_t length : {std::size_t{1}, std::size_t{5}, CompactBytes::kInlineCapacity,
                               CompactBytes::kInlineCapacity + 1, std::size_t{1000}}) {
        std::string text(length, 'a');
        text.front() = '\0';  // bytes, not a C string
        text.back() = 'z';
        CompactBytes bytes(text);
        CHECK(bytes.size() == length);
        CHECK(bytes.view() == text);

        CompactBytes copied(bytes);
        CHECK(copied.view() == text);
        CompactBytes moved(std::move(copied));
        CHECK(moved.view() == text);
        CHECK(copied.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty

        CompactBytes assigned;
        assigned = bytes;
        CHECK(assigned.view() == text);
        assigned = CompactBytes(std::string_view("short"));
        CHECK(assigned.view() == "short");
        CHECK(bytes.view() == text);
    }
}

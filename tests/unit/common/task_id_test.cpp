// task_id_test.cpp -- TaskId: canonical text <-> 16 bytes, both ways, and
// nothing else converts.
#include "common/task_id.hpp"

#include <doctest/doctest.h>

#include <unordered_set>

#include "common/uuid.hpp"

using namespace fastqueue;

TEST_CASE("TaskId: a canonical id's text comes back unchanged") {
    const std::string text = "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f";
    const auto id = TaskId::parse(text);
    REQUIRE(id.has_value());
    CHECK(id->bytes[0] == 0x3f);
    CHECK(id->bytes[15] == 0x5f);
    CHECK(id->to_string() == text);
    for (int i = 0; i < 100; ++i) {
        const std::string generated = generate_uuid();
        const auto parsed = TaskId::parse(generated);
        REQUIRE(parsed.has_value());
        CHECK(parsed->to_string() == generated);
    }
}

TEST_CASE("TaskId: only canonical ids convert") {
    CHECK_FALSE(TaskId::parse("3F2B8C1E-9D4A-4C1B-8E2F-0A1B2C3D4E5F").has_value());
    CHECK_FALSE(TaskId::parse("3f2b8c1e9d4a4c1b8e2f0a1b2c3d4e5f").has_value());
    CHECK_FALSE(TaskId::parse("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5").has_value());
    CHECK_FALSE(TaskId::parse("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5g").has_value());
    CHECK_FALSE(TaskId::parse("").has_value());
}

TEST_CASE("TaskId: one wrong character anywhere is refused, exactly as is_canonical_uuid says") {
    const std::string canonical = "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f";
    const char replacements[] = {'-', '0', '9', 'a', 'f', 'A',  'F',   'g',
                                 'G', '/', ':', '`', ' ', '\0', '\xff'};
    for (std::size_t at = 0; at < canonical.size(); ++at) {
        for (const char c : replacements) {
            std::string text = canonical;
            text[at] = c;
            CAPTURE(at);
            CAPTURE(text);
            const bool is_dash_position = is_uuid_dash_position(at);
            const bool should_convert =
                is_dash_position ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            CHECK(is_canonical_uuid(text) == should_convert);
            const auto id = TaskId::parse(text);
            REQUIRE(id.has_value() == should_convert);
            if (id) CHECK(id->to_string() == text);
        }
    }
}

TEST_CASE("TaskId: equal ids hash equal; different ids are told apart") {
    const auto a = TaskId::parse("00000000-0000-4000-8000-000000000001");
    const auto b = TaskId::parse("00000000-0000-4000-8000-000000000002");
    const auto a_again = TaskId::parse("00000000-0000-4000-8000-000000000001");
    REQUIRE((a && b && a_again));
    CHECK(*a == *a_again);
    CHECK_FALSE(*a == *b);
    CHECK(TaskIdHash{}(*a) == TaskIdHash{}(*a_again));
    std::unordered_set<TaskId, TaskIdHash> ids{*a, *b, *a_again};
    CHECK(ids.size() == 2);
}

TEST_CASE("TaskId: equal exactly when all 16 bytes are") {
    const auto base = TaskId::parse("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f");
    REQUIRE(base);
    CHECK(*base == *base);
    for (std::size_t index = 0; index < base->bytes.size(); ++index) {
        CAPTURE(index);
        TaskId other = *base;
        other.bytes[index] ^= 0x01;
        CHECK_FALSE(other == *base);
        CHECK_FALSE(*base == other);
    }
}

// uuid_test.cpp -- client-made task ids (runtime/common/uuid.cpp).
#include "common/uuid.hpp"

#include <doctest/doctest.h>

#include <array>
#include <map>
#include <string>

#include "common/task_id.hpp"

using namespace fastqueue;

TEST_CASE("generate_uuid: canonical lower-case version 4 text") {
    std::string id = generate_uuid();
    CHECK(id.size() == 36);
    CHECK(is_valid_uuid(id));
    CHECK(is_canonical_uuid(id));
    CHECK(id[14] == '4');                                          // version
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // RFC variant
}

TEST_CASE("generate_uuid: all 122 random bits vary; the 6 version and variant bits never do") {
    // Ids must be unique without coordination and unguessable, so every bit
    // but the fixed ones must come from the random source: over 256 ids, a
    // random bit that never changed has probability 2^-255. (Ten thousand
    // distinct ids would not show a source that filled only half the bytes.)
    constexpr int kIds = 256;
    std::array<int, 128> ones{};  // per bit, most significant bit of byte 0 first
    for (int i = 0; i < kIds; ++i) {
        const auto id = TaskId::parse(generate_uuid());
        REQUIRE(id);
        for (std::size_t bit = 0; bit < ones.size(); ++bit) {
            ones[bit] += (id->bytes[bit / 8] >> (7 - bit % 8)) & 1;
        }
    }
    // Byte 6's high nibble is the version (0100), byte 8's top two bits the
    // RFC variant (10).
    const std::map<std::size_t, int> fixed_bits{{48, 0}, {49, 1}, {50, 0},
                                                {51, 0}, {64, 1}, {65, 0}};
    int random_bits = 0;
    for (std::size_t bit = 0; bit < ones.size(); ++bit) {
        INFO("bit " << bit);
        const auto fixed = fixed_bits.find(bit);
        if (fixed != fixed_bits.end()) {
            CHECK(ones[bit] == fixed->second * kIds);
        } else {
            ++random_bits;
            CHECK(ones[bit] > 0);
            CHECK(ones[bit] < kIds);
        }
    }
    CHECK(random_bits == 122);
}

TEST_CASE("is_valid_uuid: 8-4-4-4-12 hex digits in either case, nothing else") {
    CHECK(is_valid_uuid("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f"));
    CHECK(is_valid_uuid("3F2B8C1E-9D4A-4C1B-8E2F-0A1B2C3D4E5F"));
    CHECK_FALSE(is_valid_uuid(""));
    CHECK_FALSE(is_valid_uuid("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5"));    // 35 chars
    CHECK_FALSE(is_valid_uuid("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f0"));  // 37 chars
    CHECK_FALSE(is_valid_uuid("3f2b8c1e9d4a-4c1b-8e2f-0a1b2c3d4e5f0"));   // dash moved
    CHECK_FALSE(is_valid_uuid("3f2b8c1g-9d4a-4c1b-8e2f-0a1b2c3d4e5f"));   // g
    CHECK_FALSE(is_valid_uuid("{f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f"));
    CHECK_FALSE(is_valid_uuid(std::string("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5\0", 36)));
}

TEST_CASE("canonical_uuid: lower-cases a UUID a user typed, rejects non-UUIDs") {
    CHECK_FALSE(is_canonical_uuid("3F2B8C1E-9D4A-4C1B-8E2F-0A1B2C3D4E5F"));
    CHECK(canonical_uuid("3F2B8C1E-9D4A-4C1B-8E2F-0A1B2C3D4E5F") ==
          std::string("3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f"));
    CHECK_FALSE(canonical_uuid("not-a-uuid"));
}

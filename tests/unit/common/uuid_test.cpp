// uuid_test.cpp -- client-made task ids (runtime/common/uuid.cpp).
#include "common/uuid.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace fastqueue;

TEST_CASE("generate_uuid: canonical lower-case version 4 text") {
    std::string id = generate_uuid();
    CHECK(id.size() == 36);
    CHECK(is_valid_uuid(id));
    CHECK(is_canonical_uuid(id));
    CHECK(id[14] == '4');                                          // version
    CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // RFC variant
}

TEST_CASE("generate_uuid: ten thousand ids are all different") {
    std::set<std::string> ids;
    for (int i = 0; i < 10000; ++i) ids.insert(generate_uuid());
    CHECK(ids.size() == 10000);
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

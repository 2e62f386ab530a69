// submit_options_test.cpp -- the SUBMIT options frame as
// runtime/protocol/submit_options.cpp reads it: a flat JSON object, refused
// with a reason when it is too long or nested past 1 level, however deep.
// (The members' rules are tested through the codec, in codec_test.cpp.)
#include "protocol/submit_options.hpp"

#include <doctest/doctest.h>

#include <string>

#include "nested_json.hpp"

using namespace fastqueue::protocol;
using fastqueue::test::nested_arrays;
using fastqueue::test::nested_objects;

namespace {

void check_options_refused(const std::string& text, const std::string& reason_part) {
    std::string reason;
    CHECK_FALSE(submit_options_from_json(text, reason));
    INFO("reason: ", reason);
    CHECK(reason.find(reason_part) != std::string::npos);
}

}  // namespace

TEST_CASE("SubmitOptions: a frame nested past 1 level is refused, however deep") {
    const std::string reason = "options frame is nested deeper than 1 level";
    check_options_refused(nested_arrays(2), reason);
    check_options_refused(nested_objects(2), reason);
    check_options_refused(R"({"max_retries":{"a":1}})", reason);
    check_options_refused(R"({"countdown_ms":5,"eta":["2026-11-28T09:30:00.000000Z"]})", reason);
    // As deep as fits in the frame, and unfinished.
    check_options_refused(nested_arrays(kMaxSubmitOptionsBytes / 2), reason);
    check_options_refused(std::string(kMaxSubmitOptionsBytes, '['), reason);
    // Deeper than fits: the size is checked before the text is parsed.
    check_options_refused(nested_objects(fastqueue::test::kHostileNesting),
                          "options frame is longer than");
}

TEST_CASE("SubmitOptions: a flat frame within its size still parses") {
    std::string reason;
    const auto options =
        submit_options_from_json(R"({"timeout_ms":2500,"max_retries":3,"countdown_ms":0})", reason);
    INFO(reason);
    REQUIRE(options);
    CHECK(options->timeout_ms == 2500);
    CHECK(options->max_retries == 3);
    CHECK(submit_options_from_json(submit_options_to_json(*options), reason) == options);
}

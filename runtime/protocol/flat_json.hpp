// flat_json.hpp -- one flat JSON object read member by member, without
// building a JSON document: the metadata frame of every RESULT and RECORD,
// which a client decodes once per task and the control plane once per
// subworker result. Reading it into a nlohmann::json document (a std::map of
// values) was about a third of a client's CPU per task.
//
// The text is parsed, and checked to be valid JSON in valid UTF-8, by
// simdjson, which reads it several times faster than nlohmann::json's lexer
// (that lexer alone was a quarter of a client's CPU per task). Members are
// read as nlohmann::json would hold them (integers >= 0 as unsigned, the last
// of a repeated key wins), and validated as before. The text must be flat:
// an array or object inside the top-level value is refused as too deep
// (kMaxNesting), and simdjson is told a depth bound to match, so it stops at
// the first level past it however deep the text goes on. Integers beyond 64
// bits do not parse.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/bounded_json.hpp"

namespace fastqueue::protocol {

// One member's value.
struct FlatJsonValue {
    enum class Kind { null, boolean, unsigned_integer, negative_integer, floating, string };
    Kind kind = Kind::null;
    bool boolean = false;                // kind boolean
    std::uint64_t unsigned_integer = 0;  // kind unsigned_integer: an integer >= 0
    std::int64_t negative_integer = 0;   // kind negative_integer: an integer < 0
    double floating = 0.0;               // kind floating: a number with a fraction or exponent
    std::string string;                  // kind string

    bool is_number() const {
        return kind == Kind::unsigned_integer || kind == Kind::negative_integer ||
               kind == Kind::floating;
    }
    // The number as a double. Precondition: is_number().
    double as_double() const;
};

class FlatJsonObject {
public:
    // How many arrays and objects deep the text may nest: 1, the top-level
    // value only.
    static constexpr int kMaxNesting = 1;
    static_assert(kMaxNesting == kMaxMetadataNesting, "the metadata frame is read with this bound");

    // The members of `text`; std::nullopt when text is not valid JSON, not
    // valid UTF-8, or holds an array or object inside its top-level value.
    // Valid flat JSON that is not an object parses, with is_object() false
    // and no members. When outcome is not null it is set to ok, invalid or
    // too_deep (nested more than kMaxNesting deep).
    static std::optional<FlatJsonObject> parse(std::string_view text,
                                               BoundedJsonOutcome* outcome = nullptr);

    bool is_object() const { return is_object_; }
    // The member named `key`, or nullptr. A key given twice yields its last
    // value, as a JSON document keeps it.
    const FlatJsonValue* find(std::string_view key) const;

private:
    bool is_object_ = false;
    std::vector<std::pair<std::string, FlatJsonValue>> members_;
};

}  // namespace fastqueue::protocol

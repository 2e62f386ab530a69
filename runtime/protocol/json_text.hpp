// json_text.hpp -- writes one flat JSON object straight into a string, member
// by member, for the messages the runtime sends once per task (RESULT
// metadata, SUBMIT options): no JSON document, one allocation.
//
// The caller writes members in name order when the text must match what a
// JSON library writes (it sorts them). Strings must be valid UTF-8; quotes,
// backslashes and control characters are escaped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fastqueue::protocol {

class JsonObjectWriter {
public:
    explicit JsonObjectWriter(std::size_t expected_bytes = 64);

    void string_member(std::string_view key, std::string_view value);
    void number_member(std::string_view key, std::uint64_t value);
    // Written as the shortest text that reads back as the same double;
    // not finite values are skipped (JSON has no text for them).
    void number_member(std::string_view key, double value);
    void bool_member(std::string_view key, bool value);

    // The object's text ("{}" when no member was written).
    std::string finish() &&;

private:
    void key(std::string_view name);

    std::string text_;
};

}  // namespace fastqueue::protocol

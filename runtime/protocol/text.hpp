// text.hpp -- the few text rules of the wire protocol that more than one
// message needs: UTF-8 well-formedness of human-readable frames, and safe
// excerpts of untrusted bytes for error messages and logs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fastqueue::protocol {

// True when text is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// text with every byte that is not part of a well-formed UTF-8 sequence
// replaced by U+FFFD, cut at a character boundary to at most max_bytes.
std::string to_valid_utf8(std::string_view text, std::size_t max_bytes);

// At most max_chars of text with every byte outside printable ASCII shown as
// '?', and "..." appended when cut: safe to quote untrusted input in a
// one-line error message or a log line.
std::string printable_excerpt(std::string_view text, std::size_t max_chars = 40);

}  // namespace fastqueue::protocol

// text.cpp -- see text.hpp. The UTF-8 rules are those of RFC 3629.
#include "protocol/text.hpp"

namespace fastqueue::protocol {

namespace {

// Length of the well-formed UTF-8 sequence that starts at text[pos], or 0
// when the bytes there are not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(pos);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char second_low = 0x80;
    unsigned char second_high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead == 0xE0) {
        length = 3;
        second_low = 0xA0;  // no overlong 3-byte forms
    } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
        length = 3;
    } else if (lead == 0xED) {
        length = 3;
        second_high = 0x9F;  // no UTF-16 surrogates
    } else if (lead == 0xF0) {
        length = 4;
        second_low = 0x90;  // no overlong 4-byte forms
    } else if (lead >= 0xF1 && lead <= 0xF3) {
        length = 4;
    } else if (lead == 0xF4) {
        length = 4;
        second_high = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (pos + length > text.size()) return 0;
    if (byte(pos + 1) < second_low || byte(pos + 1) > second_high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    }
    return length;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t length = utf8_sequence_length(text, pos);
        if (length == 0) return false;
        pos += length;
    }
    return true;
}

std::string to_valid_utf8(std::string_view text, std::size_t max_bytes) {
    static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
    std::string out;
    out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t length = utf8_sequence_length(text, pos);
        std::string_view piece = length == 0 ? kReplacement : text.substr(pos, length);
        if (out.size() + piece.size() > max_bytes) break;
        out += piece;
        pos += length == 0 ? 1 : length;
    }
    return out;
}

std::string printable_excerpt(std::string_view text, std::size_t max_chars) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
        char c = text[i];
        out += (c >= 0x20 && c <= 0x7E) ? c : '?';
    }
    if (text.size() > max_chars) out += "...";
    return out;
}

}  // namespace fastqueue::protocol

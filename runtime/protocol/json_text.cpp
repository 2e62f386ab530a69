// json_text.cpp -- see json_text.hpp.
#include "protocol/json_text.hpp"

#include <cmath>

#include <fmt/format.h>

namespace fastqueue::protocol {

namespace {

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f') {
            // The short escapes, as JSON libraries write them.
            out.push_back('\\');
            out.push_back(c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : c == '\b' ? 'b' : 'f');
        } else if (byte < 0x20) {
            out.append("\\u00");
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

}  // namespace

JsonObjectWriter::JsonObjectWriter(std::size_t expected_bytes) { text_.reserve(expected_bytes); }

void JsonObjectWriter::key(std::string_view name) {
    text_.push_back(text_.empty() ? '{' : ',');
    append_json_string(text_, name);
    text_.push_back(':');
}

void JsonObjectWriter::string_member(std::string_view name, std::string_view value) {
    key(name);
    append_json_string(text_, value);
}

void JsonObjectWriter::number_member(std::string_view name, std::uint64_t value) {
    key(name);
    fmt::format_to(std::back_inserter(text_), "{}", value);
}

void JsonObjectWriter::number_member(std::string_view name, double value) {
    if (!std::isfinite(value)) return;
    key(name);
    fmt::format_to(std::back_inserter(text_), "{}", value);
}

void JsonObjectWriter::bool_member(std::string_view name, bool value) {
    key(name);
    text_.append(value ? "true" : "false");
}

std::string JsonObjectWriter::finish() && {
    if (text_.empty()) text_.push_back('{');
    text_.push_back('}');
    return std::move(text_);
}

}  // namespace fastqueue::protocol

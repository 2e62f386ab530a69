// json_text.cpp -- see json_text.hpp.
#include "protocol/json_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace fastqueue::protocol {

namespace {

// Appends the escape of one character JSON does not allow as it is.
void append_escape(std::string& out, unsigned char byte) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('\\');
    switch (byte) {
        case '"':
            out.push_back('"');
            return;
        case '\\':
            out.push_back('\\');
            return;
        // The short escapes, as JSON libraries write them.
        case '\n':
            out.push_back('n');
            return;
        case '\t':
            out.push_back('t');
            return;
        case '\r':
            out.push_back('r');
            return;
        case '\b':
            out.push_back('b');
            return;
        case '\f':
            out.push_back('f');
            return;
        default:
            out.append("u00");
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xf]);
    }
}

// Appends `text` quoted, copying each run of characters that need no escape
// in one piece (this runs for every member of every RESULT's metadata).
void append_json_string(std::string& out, std::string_view text) {
    out.push_back('"');
    std::size_t run_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
        out.append(text.substr(run_start, i - run_start));
        append_escape(out, byte);
        run_start = i + 1;
    }
    out.append(text.substr(run_start));
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

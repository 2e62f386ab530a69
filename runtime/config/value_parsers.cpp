// value_parsers.cpp -- see value_parsers.hpp. std::from_chars does the number
// parsing: it never skips whitespace, never accepts a '+' or a locale's
// separators, and reports overflow instead of clamping.
#include "config/value_parsers.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "protocol/messages.hpp"

namespace fastqueue::config {

namespace {

std::vector<std::string> split_on(std::string_view text, std::string_view separators) {
    std::vector<std::string> pieces;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(separators, start);
        if (end == std::string_view::npos) end = text.size();
        if (end > start) pieces.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return pieces;
}

}  // namespace

ConfigError invalid_value(std::string_view source, std::string_view value,
                          std::string_view reason) {
    std::string message = "invalid value '";
    message += value;
    message += "' for ";
    message += source;
    message += ": ";
    message += reason;
    return ConfigError(message);
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
    std::int64_t parsed = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, parsed, 10);
    if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
    return parsed;
}

std::optional<double> parse_number(std::string_view text) {
    double parsed = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, parsed, std::chars_format::general);
    if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
    return parsed;
}

std::int64_t integer_in_range(const RawValue& value, std::int64_t min_value,
                              std::int64_t max_value) {
    auto parsed = parse_integer(value.text());
    if (parsed && *parsed >= min_value && *parsed <= max_value) return *parsed;
    std::string reason = "must be an integer ";
    if (max_value == std::numeric_limits<std::int64_t>::max()) {
        reason += ">= " + std::to_string(min_value);
    } else {
        reason += "from " + std::to_string(min_value) + " to " + std::to_string(max_value);
    }
    throw invalid_value(value.source, value.text(), reason);
}

std::uint32_t milliseconds_in_range(const RawValue& value, double min_seconds, double max_seconds,
                                    std::string_view range_text) {
    auto seconds = parse_number(value.text());
    if (!seconds || !(*seconds >= min_seconds && *seconds <= max_seconds)) {
        throw invalid_value(value.source, value.text(),
                            "must be a number of seconds from " + std::string(range_text));
    }
    return static_cast<std::uint32_t>(std::lround(*seconds * 1000.0));
}

std::string worker_id_value(const RawValue& value) {
    if (!protocol::is_valid_task_name(value.text())) {
        throw invalid_value(value.source, value.text(),
                            "must be 1 to " + std::to_string(protocol::kMaxTaskNameBytes) +
                                " characters of A-Z a-z 0-9 _ . : -");
    }
    return value.text();
}

std::string non_empty_text(const RawValue& value, std::string_view reason) {
    if (value.text().empty()) throw invalid_value(value.source, value.text(), reason);
    return value.text();
}

std::vector<std::string> split_names(std::string_view text) { return split_on(text, " \t\r\n,"); }

std::vector<std::string> split_paths(std::string_view text) { return split_on(text, ":"); }

}  // namespace fastqueue::config

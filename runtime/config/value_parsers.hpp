// value_parsers.hpp -- strict parsing of configuration text (integers,
// numbers, lists) and the one shape of a bad-value error:
//   invalid value '-5' for --result-cache-size: must be an integer >= 1
// Parsing is strict on purpose: "10x", " 10", "+10" and values that overflow
// are rejected rather than read as something the user did not write.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/config_key.hpp"

namespace fastqueue::config {

// "invalid value 'VALUE' for SOURCE: REASON"
ConfigError invalid_value(std::string_view source, std::string_view value, std::string_view reason);

// Decimal digits with an optional leading '-', nothing else, no overflow.
std::optional<std::int64_t> parse_integer(std::string_view text);
// A decimal number (as std::from_chars reads it), nothing else; may be
// infinite or NaN, which callers reject when they need a finite value.
std::optional<double> parse_number(std::string_view text);

// The value of a scalar integer key, within [min_value, max_value]; otherwise
// throws invalid_value with "must be an integer >= MIN" (no upper bound) or
// "must be an integer from MIN to MAX".
std::int64_t integer_in_range(const RawValue& value, std::int64_t min_value,
                              std::int64_t max_value = std::numeric_limits<std::int64_t>::max());

// The value of a scalar number-of-seconds key within [min_seconds,
// max_seconds], in whole milliseconds (rounded); otherwise throws
// invalid_value with "must be a number of seconds from MIN to MAX".
std::uint32_t milliseconds_in_range(const RawValue& value, double min_seconds, double max_seconds,
                                    std::string_view range_text);

// The value of a worker-id key: the wire's worker id rule, 1 to 128
// characters of A-Z a-z 0-9 _ . : - (protocol::is_valid_task_name), which
// every role checks its own id against; otherwise throws invalid_value.
std::string worker_id_value(const RawValue& value);

// The value of a string key that must not be empty; otherwise throws
// invalid_value with `reason` (what it must name).
std::string non_empty_text(const RawValue& value, std::string_view reason);

// Splits on spaces, tabs, line breaks and commas; drops empty pieces ("a, b,,c" -> a b c).
std::vector<std::string> split_names(std::string_view text);
// Splits on ':' as PATH does; drops empty pieces.
std::vector<std::string> split_paths(std::string_view text);

}  // namespace fastqueue::config

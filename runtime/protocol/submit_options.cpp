// submit_options.cpp -- see submit_options.hpp.
#include "protocol/submit_options.hpp"

#include <nlohmann/json.hpp>

#include "protocol/bounded_json.hpp"
#include "protocol/json_text.hpp"
#include "protocol/text.hpp"

namespace fastqueue::protocol {

namespace {

using nlohmann::json;

// Reads member `key` as an integer in [min, max] into out.
bool read_bounded(const json& value, const std::string& key, std::uint32_t min, std::uint32_t max,
                  std::uint32_t& out, std::string& reason) {
    // A JSON number without sign, fraction or exponent parses as unsigned.
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() < min ||
        value.get<std::uint64_t>() > max) {
        reason = "option '" + key + "' must be an integer in " + std::to_string(min) + ".." +
                 std::to_string(max);
        return false;
    }
    out = static_cast<std::uint32_t>(value.get<std::uint64_t>());
    return true;
}

}  // namespace

bool is_default(const SubmitOptions& options) { return options == SubmitOptions{}; }

std::string submit_options_to_json(const SubmitOptions& options) {
    // Written directly (once per dispatch when a default timeout is set),
    // members in name order.
    JsonObjectWriter writer;
    if (options.countdown_ms != 0)
        writer.number_member("countdown_ms", std::uint64_t{options.countdown_ms});
    if (options.default_timeout_ms != 0) {
        writer.number_member("default_timeout_ms", std::uint64_t{options.default_timeout_ms});
    }
    if (options.eta != Timestamp{}) writer.string_member("eta", format_timestamp(options.eta));
    if (options.max_retries != 0)
        writer.number_member("max_retries", std::uint64_t{options.max_retries});
    if (options.retry_backoff_ms != 0) {
        writer.number_member("retry_backoff_ms", std::uint64_t{options.retry_backoff_ms});
    }
    if (options.timeout_ms != 0)
        writer.number_member("timeout_ms", std::uint64_t{options.timeout_ms});
    return std::move(writer).finish();
}

std::optional<SubmitOptions> submit_options_from_json(std::string_view text, std::string& reason) {
    if (text.size() > kMaxSubmitOptionsBytes) {
        reason =
            "options frame is longer than " + std::to_string(kMaxSubmitOptionsBytes) + " bytes";
        return std::nullopt;
    }
    auto parsed = parse_bounded_json(text, kMaxSubmitOptionsNesting);
    if (parsed.outcome == BoundedJsonOutcome::too_deep) {
        reason = too_deep_reason("options frame", kMaxSubmitOptionsNesting);
        return std::nullopt;
    }
    const json& object = parsed.value;
    if (parsed.outcome != BoundedJsonOutcome::ok || !object.is_object()) {
        reason = "options frame is not a UTF-8 JSON object";
        return std::nullopt;
    }
    SubmitOptions options;
    for (const auto& [key, value] : object.items()) {
        bool is_valid = true;
        if (key == "timeout_ms") {
            is_valid = read_bounded(value, key, 1, kMaxTimeoutMs, options.timeout_ms, reason);
        } else if (key == "default_timeout_ms") {
            is_valid =
                read_bounded(value, key, 1, kMaxTimeoutMs, options.default_timeout_ms, reason);
        } else if (key == "max_retries") {
            is_valid = read_bounded(value, key, 0, kMaxRetries, options.max_retries, reason);
        } else if (key == "retry_backoff_ms") {
            is_valid =
                read_bounded(value, key, 1, kMaxRetryBackoffMs, options.retry_backoff_ms, reason);
        } else if (key == "countdown_ms") {
            is_valid = read_bounded(value, key, 0, kMaxDelayMs, options.countdown_ms, reason);
        } else if (key == "eta") {
            const std::string* eta_text = value.get_ptr<const std::string*>();
            auto eta = eta_text != nullptr ? parse_timestamp(*eta_text) : std::nullopt;
            if (!eta || *eta == Timestamp{}) {
                reason = "option 'eta' must be a UTC timestamp like 2026-11-27T23:52:33.123456Z";
                is_valid = false;
            } else {
                options.eta = *eta;
            }
        } else {
            reason = "unknown option '" + printable_excerpt(key) + "'";
            is_valid = false;
        }
        if (!is_valid) return std::nullopt;
    }
    if (object.contains("eta") && object.contains("countdown_ms")) {
        reason = "options 'eta' and 'countdown_ms' exclude each other";
        return std::nullopt;
    }
    return options;
}

}  // namespace fastqueue::protocol

// submit_options.hpp -- the SUBMIT options frame: how a task's timeout,
// retries and start time travel (docs/protocol.md, "SUBMIT options").
//
// The frame is a UTF-8 JSON object of at most kMaxSubmitOptionsBytes,
// nested kMaxSubmitOptionsNesting deep (bounded_json.hpp: nothing nested in
// it), with these optional members, each a non-negative integer unless noted:
//   timeout_ms          1..kMaxTimeoutMs
//   default_timeout_ms  1..kMaxTimeoutMs
//   max_retries         0..kMaxRetries
//   retry_backoff_ms    1..kMaxRetryBackoffMs
//   eta                 a timestamp as format_timestamp() writes it
//   countdown_ms        0..kMaxDelayMs
// An unknown member, a wrong type, a value out of range, or both eta and
// countdown_ms, makes the whole SUBMIT invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/messages.hpp"

namespace fastqueue::protocol {

inline constexpr std::size_t kMaxSubmitOptionsBytes = 1024;
// A week: the longest run-time limit.
inline constexpr std::uint32_t kMaxTimeoutMs = 7u * 24 * 3600 * 1000;
inline constexpr std::uint32_t kMaxRetries = 100;
// An hour: the largest backoff base.
inline constexpr std::uint32_t kMaxRetryBackoffMs = 3600u * 1000;
// The backoff base when retry_backoff_ms is not set: one second.
inline constexpr std::uint32_t kDefaultRetryBackoffMs = 1000;
// The longest wait between two attempts, whatever the base and the attempt:
// five minutes (before jitter).
inline constexpr std::uint32_t kMaxRetryDelayMs = 300u * 1000;
// Each wait is scaled by a random factor in [1 - kRetryJitter, 1 + kRetryJitter].
inline constexpr double kRetryJitter = 0.5;
// 30 days: the longest a task may be held before it runs (countdown, or an
// eta that far ahead of the control plane's clock).
inline constexpr std::uint32_t kMaxDelayMs = 30u * 24 * 3600 * 1000;

// True when every member is at its default: no options frame is sent.
bool is_default(const SubmitOptions& options);

// The JSON text of the options frame; only members that are set appear.
std::string submit_options_to_json(const SubmitOptions& options);

// Parses and validates an options frame. On failure returns std::nullopt
// and sets reason to one line naming the first problem.
std::optional<SubmitOptions> submit_options_from_json(std::string_view text, std::string& reason);

}  // namespace fastqueue::protocol

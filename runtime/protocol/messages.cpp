// messages.cpp -- the small vocabulary of protocol values: cancel outcomes
// and the task-name rule (see messages.hpp and docs/protocol.md).
#include "protocol/messages.hpp"

#include <array>

namespace fastqueue::protocol {

namespace {

constexpr std::array<std::string_view, 4> kCancelOutcomeNames = {"cancelled", "cancelling",
                                                                 "finished", "not_found"};

}  // namespace

bool is_valid_task_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxTaskNameBytes) return false;
    for (char c : name) {
        bool is_allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '-';
        if (!is_allowed) return false;
    }
    return true;
}

std::string_view to_string(CancelOutcome outcome) {
    auto index = static_cast<std::size_t>(outcome);
    return index < kCancelOutcomeNames.size() ? kCancelOutcomeNames[index]
                                              : std::string_view("unknown");
}

std::optional<CancelOutcome> parse_cancel_outcome(std::string_view text) {
    for (std::size_t i = 0; i < kCancelOutcomeNames.size(); ++i) {
        if (kCancelOutcomeNames[i] == text) return static_cast<CancelOutcome>(i);
    }
    return std::nullopt;
}

}  // namespace fastqueue::protocol

// task_id.cpp -- see task_id.hpp.
#include "common/task_id.hpp"

#include <functional>

#include "common/uuid.hpp"

namespace fastqueue {
namespace {

// The value of a lower-case hex digit, or -1 for any other character.
int lower_hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::optional<TaskId> TaskId::parse(std::string_view canonical_text) {
    // Checks and converts in one pass (this runs for every message that
    // names a task): every position is either its dash or a lower-case hex
    // digit. This is the canonical form's one definition; is_canonical_uuid()
    // asks it.
    if (canonical_text.size() != 36) return std::nullopt;
    TaskId id;
    std::size_t in = 0;
    for (auto& byte : id.bytes) {
        if (is_uuid_dash_position(in)) {
            if (canonical_text[in] != '-') return std::nullopt;
            ++in;
        }
        const int high = lower_hex_value(canonical_text[in]);
        const int low = lower_hex_value(canonical_text[in + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        byte = static_cast<std::uint8_t>(high << 4 | low);
        in += 2;
    }
    return id;
}

std::string TaskId::to_string() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text(36, '-');
    std::size_t out = 0;
    for (const auto byte : bytes) {
        if (is_uuid_dash_position(out)) ++out;
        text[out] = kHex[byte >> 4];
        text[out + 1] = kHex[byte & 0xF];
        out += 2;
    }
    return text;
}

std::size_t TaskIdHash::operator()(const TaskId& id) const noexcept {
    return std::hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()));
}

}  // namespace fastqueue

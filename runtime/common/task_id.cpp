// task_id.cpp -- see task_id.hpp.
#include "common/task_id.hpp"

#include <functional>

#include "common/uuid.hpp"

namespace fastqueue {
namespace {

std::uint8_t hex_value(char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
}

}  // namespace

std::optional<TaskId> TaskId::parse(std::string_view canonical_text) {
    if (!is_canonical_uuid(canonical_text)) return std::nullopt;
    TaskId id;
    std::size_t in = 0;
    for (auto& byte : id.bytes) {
        if (is_uuid_dash_position(in)) ++in;
        byte = static_cast<std::uint8_t>(hex_value(canonical_text[in]) << 4 |
                                         hex_value(canonical_text[in + 1]));
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

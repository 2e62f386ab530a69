// uuid.cpp -- random (version 4, RFC 9562 variant) task ids. Ids are made
// client-side, so they must be unique without coordination, and they are
// what keeps a task's record from other clients, so they must not be
// guessable: 122 random bits from the OS's CSPRNG (common/secure_random.hpp).
#include "common/uuid.hpp"

#include <cstdint>

#include "common/secure_random.hpp"
#include "common/task_id.hpp"

namespace fastqueue {

namespace {

bool is_hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string generate_uuid() {
    TaskId id;
    fill_secure_random(id.bytes.data(), id.bytes.size());
    id.bytes[6] = static_cast<std::uint8_t>((id.bytes[6] & 0x0F) | 0x40);  // version 4
    id.bytes[8] = static_cast<std::uint8_t>((id.bytes[8] & 0x3F) | 0x80);  // variant 10xx
    return id.to_string();
}

bool is_valid_uuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_uuid_dash_position(i) ? text[i] != '-' : !is_hex_digit(text[i])) return false;
    }
    return true;
}

// The canonical form is exactly what converts to a TaskId: one rule, kept in
// TaskId::parse.
bool is_canonical_uuid(std::string_view text) { return TaskId::parse(text).has_value(); }

std::optional<std::string> canonical_uuid(std::string_view text) {
    if (!is_valid_uuid(text)) return std::nullopt;
    std::string canonical(text);
    for (char& c : canonical) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    }
    return canonical;
}

}  // namespace fastqueue

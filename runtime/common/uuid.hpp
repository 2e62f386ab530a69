// uuid.hpp -- task ids: random (version 4) UUIDs in canonical lower-case
// text form, 36 characters, e.g. "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fastqueue {

// A new random UUID: 122 bits from the OS's CSPRNG (getrandom). Thread-safe.
std::string generate_uuid();

// True for the positions of the four dashes in a UUID's text (8, 13, 18,
// 23); every other position holds a hex digit. Inline: it runs per
// character of every id the runtime reads or writes.
constexpr bool is_uuid_dash_position(std::size_t index) {
    return index == 8 || index == 13 || index == 18 || index == 23;
}

// True when text is 36 chars, 8-4-4-4-12 hex digits (either case).
bool is_valid_uuid(std::string_view text);

// True when text is a valid UUID in lower case: the only form the wire
// protocol accepts and the form under which records are stored.
bool is_canonical_uuid(std::string_view text);

// The lower-case form of a valid UUID (for ids typed by a user), or
// std::nullopt when text is not a UUID at all.
std::optional<std::string> canonical_uuid(std::string_view text);

}  // namespace fastqueue

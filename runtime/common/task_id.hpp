// task_id.hpp -- a task id in its 16-byte binary form, for tables that hold
// many tasks (the control plane's queue and live table): a quarter of the
// text's 36 characters and no heap allocation.
//
// Only canonical ids (common/uuid.hpp: lower-case 8-4-4-4-12 hex, the only
// form the wire protocol accepts) convert, so text -> TaskId -> text gives
// back the same text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace fastqueue {

struct TaskId {
    std::array<std::uint8_t, 16> bytes{};

    // The id of a canonical UUID text, or std::nullopt for any other text.
    static std::optional<TaskId> parse(std::string_view canonical_text);
    // The canonical text (36 characters).
    std::string to_string() const;

    // Two 8-byte comparisons: the defaulted operator called memcmp for the
    // 16 bytes, 1.5 % of the control plane's samples (hash-table probes).
    bool operator==(const TaskId& other) const noexcept {
        std::uint64_t mine[2];
        std::uint64_t theirs[2];
        std::memcpy(mine, bytes.data(), sizeof(mine));
        std::memcpy(theirs, other.bytes.data(), sizeof(theirs));
        return ((mine[0] ^ theirs[0]) | (mine[1] ^ theirs[1])) == 0;
    }
};

// Hashes every byte (ids are chosen by clients, so no part of them can be
// trusted to be random).
struct TaskIdHash {
    std::size_t operator()(const TaskId& id) const noexcept;
};

}  // namespace fastqueue

// uuid.cpp -- random (version 4, RFC 9562 variant) task ids. Ids are made
// client-side, so they must be unique without coordination: 122 random bits
// from a per-thread 64-bit generator seeded from std::random_device.
#include "common/uuid.hpp"

#include <cstdint>
#include <random>

#include "common/task_id.hpp"

namespace fastqueue {

namespace {

bool is_hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::mt19937_64& thread_generator() {
    thread_local std::mt19937_64 generator = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(),
                           device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    return generator;
}

}  // namespace

std::string generate_uuid() {
    auto& generator = thread_generator();
    std::uint64_t high = generator();
    std::uint64_t low = generator();
    high = (high & ~0xF000ull) | 0x4000ull;                       // version 4
    low = (low & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10xx
    TaskId id;
    for (int i = 0; i < 8; ++i) {
        id.bytes[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
        id.bytes[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
    }
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

// compact_bytes.cpp -- see compact_bytes.hpp.
#include "common/compact_bytes.hpp"

#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

namespace fastqueue {

CompactBytes::CompactBytes() noexcept { std::memset(storage_, 0, sizeof storage_); }

CompactBytes::CompactBytes(const void* data, std::size_t size) : CompactBytes() {
    if (size <= kInlineCapacity) {
        if (size > 0) std::memcpy(storage_, data, size);
        storage_[15] = static_cast<std::uint8_t>(size);
        return;
    }
    if (size > std::numeric_limits<std::uint32_t>::max()) {
        throw std::length_error("CompactBytes holds at most 4 GiB");
    }
    char* block = new char[size];
    std::memcpy(block, data, size);
    const auto length = static_cast<std::uint32_t>(size);
    std::memcpy(storage_, &block, sizeof block);
    std::memcpy(storage_ + 8, &length, sizeof length);
    storage_[15] = kOnHeap;
}

CompactBytes::CompactBytes(const CompactBytes& other) : CompactBytes(other.data(), other.size()) {}

CompactBytes::CompactBytes(CompactBytes&& other) noexcept {
    std::memcpy(storage_, other.storage_, sizeof storage_);
    std::memset(other.storage_, 0, sizeof other.storage_);
}

CompactBytes& CompactBytes::operator=(CompactBytes other) noexcept {
    std::swap(storage_, other.storage_);
    return *this;
}

CompactBytes::~CompactBytes() {
    if (is_on_heap()) delete[] heap_data();
}

const char* CompactBytes::data() const noexcept {
    return is_on_heap() ? heap_data() : reinterpret_cast<const char*>(storage_);
}

std::size_t CompactBytes::size() const noexcept {
    return is_on_heap() ? heap_size() : storage_[15];
}

char* CompactBytes::heap_data() const noexcept {
    char* block = nullptr;
    std::memcpy(&block, storage_, sizeof block);
    return block;
}

std::uint32_t CompactBytes::heap_size() const noexcept {
    std::uint32_t length = 0;
    std::memcpy(&length, storage_ + 8, sizeof length);
    return length;
}

}  // namespace fastqueue

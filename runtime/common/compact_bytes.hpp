// compact_bytes.hpp -- an owned byte string in 16 bytes, for fields held once
// per queued task: up to 15 bytes are stored inline (a ZeroMQ routing id is
// 5), longer ones in one heap block of exactly their size.
//
// std::string takes 32 bytes and rounds its heap block up; this type exists
// only to keep the control plane's per-task overhead small (docs/benchmarks.md,
// "Queue depth").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fastqueue {

class CompactBytes {
public:
    static constexpr std::size_t kInlineCapacity = 15;

    CompactBytes() noexcept;
    CompactBytes(const void* data, std::size_t size);
    explicit CompactBytes(std::string_view bytes) : CompactBytes(bytes.data(), bytes.size()) {}
    CompactBytes(const CompactBytes& other);
    CompactBytes(CompactBytes&& other) noexcept;
    CompactBytes& operator=(CompactBytes other) noexcept;
    ~CompactBytes();

    const char* data() const noexcept;
    std::size_t size() const noexcept;
    bool empty() const noexcept { return size() == 0; }
    std::string_view view() const noexcept { return {data(), size()}; }

private:
    // storage_[15] is the inline length (0..15), or kOnHeap; then
    // storage_[0..7] hold the block's address and storage_[8..11] its length.
    static constexpr std::uint8_t kOnHeap = 0xFF;
    bool is_on_heap() const noexcept { return storage_[15] == kOnHeap; }
    char* heap_data() const noexcept;
    std::uint32_t heap_size() const noexcept;

    alignas(8) std::uint8_t storage_[16];
};

static_assert(sizeof(CompactBytes) == 16);

}  // namespace fastqueue

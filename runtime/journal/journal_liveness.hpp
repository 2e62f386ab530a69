// journal_liveness.hpp -- which records of one segment are still live.
//
// A segment's records are added in offset order (they are appended), so they
// are kept in a sorted vector of 8 bytes each: the frame's offset and the
// body's size, with the size's top bit marking a dead record. A journal of
// millions of records costs 8 bytes per record here and nothing else. Once
// every record is dead the vector is freed.
#pragma once

#include <cstdint>
#include <vector>

namespace fastqueue::journal {

class SegmentLiveness {
public:
    struct Record {
        std::uint32_t offset;
        std::uint32_t size;  // the body's size
    };

    // Adds a live record; its offset must be above every offset added before.
    void add(std::uint32_t offset, std::uint32_t size);
    // Marks the record at `offset` dead and sets `size` to its body size;
    // false (and nothing changes) when there is no live record there.
    bool release(std::uint32_t offset, std::uint32_t& size);
    std::uint64_t live_records() const { return live_records_; }
    // Frame bytes (header and body) of the live records.
    std::uint64_t live_bytes() const { return live_bytes_; }
    // Calls fn(Record) for each live record in offset order until fn returns false.
    template <typename Fn>
    void for_each_live(Fn&& fn) const {
        for (const auto& entry : entries_) {
            if ((entry.size & kDeadBit) == 0 && !fn(Record{entry.offset, entry.size})) return;
        }
    }

private:
    static constexpr std::uint32_t kDeadBit = 1u << 31;
    std::vector<Record> entries_;  // sorted by offset
    std::uint64_t live_records_ = 0;
    std::uint64_t live_bytes_ = 0;
};

}  // namespace fastqueue::journal

// journal_liveness.cpp -- SegmentLiveness: the sorted vector of a segment's
// records with their dead marks.
#include "journal/journal_liveness.hpp"

#include <algorithm>

#include "journal/journal_frame.hpp"

namespace fastqueue::journal {

static_assert(kMaxRecordBytes < (1u << 31), "the dead mark takes the size's top bit");

void SegmentLiveness::add(std::uint32_t offset, std::uint32_t size) {
    entries_.push_back({offset, size});
    ++live_records_;
    live_bytes_ += kFrameHeaderBytes + size;
}

bool SegmentLiveness::release(std::uint32_t offset, std::uint32_t& size) {
    const auto found = std::lower_bound(
        entries_.begin(), entries_.end(), offset,
        [](const Record& entry, std::uint32_t wanted) { return entry.offset < wanted; });
    if (found == entries_.end() || found->offset != offset || (found->size & kDeadBit) != 0) {
        return false;
    }
    size = found->size;
    found->size |= kDeadBit;
    --live_records_;
    live_bytes_ -= kFrameHeaderBytes + size;
    if (live_records_ == 0) {
        entries_.clear();
        entries_.shrink_to_fit();
    }
    return true;
}

}  // namespace fastqueue::journal

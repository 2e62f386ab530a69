// journal_frame.hpp -- one record as the journal stores it, and CRC32C.
//
// A frame is [u32 length][u32 CRC32C of the body][body], both numbers
// little-endian. The length counts the body only and is never 0: a zero-filled
// tail (a file extended but never written) must not read as empty records.
// A body is at most kMaxRecordBytes, so that a length read from damaged bytes
// is rejected before anything is read behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fastqueue::journal {

inline constexpr std::size_t kFrameHeaderBytes = 8;
inline constexpr std::uint32_t kMaxRecordBytes = 1u << 30;

// CRC32C (Castagnoli, reflected, initial and final xor 0xFFFFFFFF), fed in
// pieces: Crc32c{}.update(a).update(b).value() is the CRC of a followed by b.
// Uses the SSE4.2 crc32 instruction when the CPU has it, Boost.CRC otherwise;
// both give the same values (a unit test compares them).
class Crc32c {
public:
    Crc32c& update(const void* data, std::size_t size);
    Crc32c& update(std::string_view bytes) { return update(bytes.data(), bytes.size()); }
    std::uint32_t value() const { return ~register_; }

private:
    std::uint32_t register_ = 0xFFFFFFFFu;
};

std::uint32_t crc32c(std::string_view bytes);
// The two implementations behind Crc32c, for the test that compares them.
std::uint32_t crc32c_portable(std::string_view bytes);
bool crc32c_has_hardware();
std::uint32_t crc32c_hardware(std::string_view bytes);  // only if crc32c_has_hardware()

void store_u32_le(char* out, std::uint32_t value);
std::uint32_t load_u32_le(const char* in);

// Writes the 8-byte frame header for a body of `length` bytes with checksum `crc`.
void encode_frame_header(char* out, std::uint32_t length, std::uint32_t crc);

// Why the frame at an offset cannot be read.
enum class FrameFault {
    truncated_header,  // fewer than 8 bytes left
    bad_length,        // length 0 or above kMaxRecordBytes
    truncated_body,    // the length runs past the end of the bytes
    bad_checksum,      // the body's CRC32C differs from the stored one
};
const char* describe(FrameFault fault);

// The frame at the start of `bytes`: its body, or why it is not a frame.
struct DecodedFrame {
    std::string_view body;  // valid when fault is empty
    std::optional<FrameFault> fault;
    std::size_t frame_bytes() const { return kFrameHeaderBytes + body.size(); }
};
DecodedFrame decode_frame(std::string_view bytes);

}  // namespace fastqueue::journal

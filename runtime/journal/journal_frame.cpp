// journal_frame.cpp -- frame headers, frame decoding and CRC32C (Boost.CRC,
// with the SSE4.2 instruction as a fast path on x86-64).
#include "journal/journal_frame.hpp"

#include <boost/crc.hpp>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace fastqueue::journal {
namespace {

using BoostCrc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

// The bits of `value` in reverse order.
std::uint32_t reverse_bits(std::uint32_t value) {
    std::uint32_t reversed = 0;
    for (int bit = 0; bit < 32; ++bit, value >>= 1) reversed = (reversed << 1) | (value & 1u);
    return reversed;
}

// Continues a CRC32C from its raw register (the reflected remainder before
// the final xor). Boost takes its initial remainder unreflected, so the
// register goes in reversed and comes out of checksum() with the final xor.
std::uint32_t update_portable(std::uint32_t crc_register, const void* data, std::size_t size) {
    BoostCrc32c crc(reverse_bits(crc_register));
    crc.process_bytes(data, size);
    return ~crc.checksum();
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t update_hardware(std::uint32_t crc_register,
                                                                const void* data,
                                                                std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    std::uint64_t crc = crc_register;
    while (size >= 8) {
        std::uint64_t word;
        std::memcpy(&word, bytes, 8);
        crc = _mm_crc32_u64(crc, word);
        bytes += 8;
        size -= 8;
    }
    auto crc32 = static_cast<std::uint32_t>(crc);
    while (size > 0) {
        crc32 = _mm_crc32_u8(crc32, *bytes);
        ++bytes;
        --size;
    }
    return crc32;
}
const bool kHasHardware = __builtin_cpu_supports("sse4.2");
#else
std::uint32_t update_hardware(std::uint32_t crc_register, const void* data, std::size_t size) {
    return update_portable(crc_register, data, size);
}
const bool kHasHardware = false;
#endif

}  // namespace

Crc32c& Crc32c::update(const void* data, std::size_t size) {
    register_ = kHasHardware ? update_hardware(register_, data, size)
                             : update_portable(register_, data, size);
    return *this;
}

std::uint32_t crc32c(std::string_view bytes) { return Crc32c{}.update(bytes).value(); }

std::uint32_t crc32c_portable(std::string_view bytes) {
    return ~update_portable(0xFFFFFFFFu, bytes.data(), bytes.size());
}

bool crc32c_has_hardware() { return kHasHardware; }

std::uint32_t crc32c_hardware(std::string_view bytes) {
    return ~update_hardware(0xFFFFFFFFu, bytes.data(), bytes.size());
}

void store_u32_le(char* out, std::uint32_t value) {
    for (int byte = 0; byte < 4; ++byte) {
        out[byte] = static_cast<char>((value >> (8 * byte)) & 0xFF);
    }
}

std::uint32_t load_u32_le(const char* in) {
    std::uint32_t value = 0;
    for (int byte = 3; byte >= 0; --byte) {
        value = (value << 8) | static_cast<unsigned char>(in[byte]);
    }
    return value;
}

void encode_frame_header(char* out, std::uint32_t length, std::uint32_t crc) {
    store_u32_le(out, length);
    store_u32_le(out + 4, crc);
}

const char* describe(FrameFault fault) {
    switch (fault) {
        case FrameFault::truncated_header:
            return "a partial record header";
        case FrameFault::bad_length:
            return "an impossible record length";
        case FrameFault::truncated_body:
            return "a record that runs past the end of the file";
        case FrameFault::bad_checksum:
            return "a record whose checksum does not match";
    }
    return "damage";
}

DecodedFrame decode_frame(std::string_view bytes) {
    if (bytes.size() < kFrameHeaderBytes) return {{}, FrameFault::truncated_header};
    const std::uint32_t length = load_u32_le(bytes.data());
    if (length == 0 || length > kMaxRecordBytes) return {{}, FrameFault::bad_length};
    if (bytes.size() - kFrameHeaderBytes < length) return {{}, FrameFault::truncated_body};
    const std::string_view body = bytes.substr(kFrameHeaderBytes, length);
    if (crc32c(body) != load_u32_le(bytes.data() + 4)) return {{}, FrameFault::bad_checksum};
    return {body, std::nullopt};
}

}  // namespace fastqueue::journal

// journal_frame_test.cpp -- the journal's frames and CRC32C: known CRC32C
// values, the hardware path against Boost's on random inputs, pieces fed one
// after another, frames round trip, and every way a frame is refused.
#include "journal/journal_frame.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

using namespace fastqueue::journal;

TEST_CASE("CRC32C: matches the published check values") {
    CHECK(crc32c("123456789") == 0xE3069283u);
    CHECK(crc32c("") == 0u);
    CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
    CHECK(crc32c(std::string(32, '\xFF')) == 0x62A8AB43u);
    CHECK(crc32c_portable("123456789") == 0xE3069283u);
}

TEST_CASE("CRC32C: fed in pieces gives the value of the whole") {
    const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
    for (std::size_t split = 0; split <= text.size(); ++split) {
        Crc32c crc;
        crc.update(std::string_view(text).substr(0, split));
        crc.update(std::string_view(text).substr(split));
        CHECK(crc.value() == crc32c_portable(text));
    }
}

TEST_CASE("CRC32C: the SSE4.2 path agrees with Boost.CRC on random inputs") {
    if (!crc32c_has_hardware()) {
        MESSAGE("no SSE4.2 on this CPU: only the portable path runs");
        return;
    }
    std::mt19937_64 random(19);
    for (int round = 0; round < 500; ++round) {
        std::string bytes(random() % 300, '\0');
        for (auto& byte : bytes) byte = static_cast<char>(random());
        REQUIRE(crc32c_hardware(bytes) == crc32c_portable(bytes));
    }
}

TEST_CASE("Journal frame: a body round trips through its header") {
    const std::string body = "accepted task 42";
    std::string frame(kFrameHeaderBytes, '\0');
    encode_frame_header(frame.data(), static_cast<std::uint32_t>(body.size()), crc32c(body));
    frame += body;
    CHECK(load_u32_le(frame.data()) == body.size());
    CHECK(static_cast<unsigned char>(frame[0]) == body.size());  // little-endian
    const std::string stream = frame + "next frame's bytes";
    const auto decoded = decode_frame(stream);
    REQUIRE_FALSE(decoded.fault);
    CHECK(decoded.body == body);
    CHECK(decoded.frame_bytes() == frame.size());
}

TEST_CASE("Journal frame: damaged frames are refused with their fault") {
    const std::string body = "payload";
    std::string frame(kFrameHeaderBytes, '\0');
    encode_frame_header(frame.data(), static_cast<std::uint32_t>(body.size()), crc32c(body));
    frame += body;

    CHECK(decode_frame(frame.substr(0, 5)).fault == FrameFault::truncated_header);
    CHECK(decode_frame(frame.substr(0, frame.size() - 1)).fault == FrameFault::truncated_body);
    CHECK(decode_frame(std::string(16, '\0')).fault == FrameFault::bad_length);
    std::string huge = frame;
    store_u32_le(huge.data(), kMaxRecordBytes + 1);
    CHECK(decode_frame(huge).fault == FrameFault::bad_length);
    std::string flipped = frame;
    flipped.back() ^= 0x01;
    CHECK(decode_frame(flipped).fault == FrameFault::bad_checksum);
}

// shared_bytes_test.cpp -- SharedBytes shares its bytes, whether they came in
// a string or a frame, and lets them go with the last holder.
#include "common/shared_bytes.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "tracked_bytes.hpp"

using fastqueue::SharedBytes;
using fastqueue::test::TrackedBytes;

TEST_CASE("SharedBytes: a string's bytes are moved in and shared by copies") {
    std::string text(65'536, 's');
    const char* original = text.data();
    SharedBytes bytes = SharedBytes::from_string(std::move(text));
    CHECK(bytes.size() == 65'536);
    CHECK(bytes.view().data() == original);  // moved, not copied
    const SharedBytes copy = bytes;
    CHECK(copy.view().data() == original);
    CHECK(copy.view() == std::string(65'536, 's'));
}

TEST_CASE("SharedBytes: a frame's bytes are kept in place until the last holder is gone") {
    TrackedBytes source(std::string(4'096, 'f'));
    auto bytes = std::make_unique<SharedBytes>(SharedBytes::from_frame(source.lend_as_frame()));
    CHECK(bytes->view().data() == source.bytes.data());
    SharedBytes copy = *bytes;
    bytes.reset();
    CHECK_FALSE(source.is_released);
    CHECK(copy.view() == source.bytes);
    copy = SharedBytes();
    CHECK(source.is_released);
}

TEST_CASE("SharedBytes: a frame of at most 1 KiB is copied and let go, not kept") {
    // A small received frame would keep ZeroMQ's whole 8 KiB receive buffer.
    TrackedBytes small(std::string(SharedBytes::kFrameCopyLimit, 'c'));
    const SharedBytes copied = SharedBytes::from_frame(small.lend_as_frame());
    CHECK(small.is_released);
    CHECK(copied.view() == small.bytes);
    CHECK(copied.view().data() != small.bytes.data());

    TrackedBytes larger(std::string(SharedBytes::kFrameCopyLimit + 1, 'k'));
    const SharedBytes kept = SharedBytes::from_frame(larger.lend_as_frame());
    CHECK_FALSE(larger.is_released);
    CHECK(kept.view().data() == larger.bytes.data());

    // ZeroMQ keeps messages of up to about 30 bytes inside the message object.
    CHECK(SharedBytes::from_frame(zmq::message_t(std::string_view("\"tiny\""))).view() ==
          "\"tiny\"");
}

TEST_CASE("SharedBytes: a frame to send shares the bytes and holds them until it is gone") {
    TrackedBytes source(std::string(4'096, 'g'));
    auto bytes = std::make_unique<SharedBytes>(SharedBytes::from_frame(source.lend_as_frame()));
    zmq::message_t frame = bytes->share_as_frame();
    CHECK(frame.data() == static_cast<const void*>(source.bytes.data()));
    CHECK(frame.size() == 4'096);
    bytes.reset();
    CHECK_FALSE(source.is_released);  // the frame still needs them
    frame = zmq::message_t();
    CHECK(source.is_released);
}

TEST_CASE("SharedBytes: no bytes: empty, and an empty frame") {
    const SharedBytes none;
    CHECK(none.empty());
    CHECK(none.share_as_frame().size() == 0);
    CHECK(SharedBytes::from_string("").empty());
    CHECK(SharedBytes::from_frame(zmq::message_t()).empty());
}

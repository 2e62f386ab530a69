// protocol_decode_fuzzer.cpp -- libFuzzer target for the wire codec
// (runtime/protocol/codec.hpp): every multipart message a peer can send goes
// through decode(), which must refuse it with a reason or return a message,
// and never crash, leak or read out of bounds.
//
// Input: the first byte is the frame separator; the rest, split on it, is the
// frames of one message (an empty input is a message of no frames). "|FQ/1|ACK|<uuid>" is the three
// frames FQ/1, ACK and <uuid>. Any frame count and any frame content are reachable (pick a
// separator byte the frames do not hold), so every message type is.
//
// On top of "no crash", each decoded message is checked the way its receiver
// uses it: a RESULT or RECORD is turned into the CLI's JSON and dumped, a
// WORKERS_REPLY status is parsed and written back, and every message must
// encode into frames that decode again to the same type. Only the public
// decode()/encode() calls are used, so the target follows the frame layout
// wherever it goes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "fastqueue/subworker_status.hpp"
#include "protocol/codec.hpp"
#include "protocol/record_json.hpp"

namespace {

using namespace fastqueue;
using namespace fastqueue::protocol;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "protocol_decode_fuzzer: %s\n", what.c_str());
    std::abort();
}

Frames split_frames(const std::uint8_t* data, std::size_t size) {
    Frames frames;
    if (size == 0) return frames;
    const char separator = static_cast<char>(data[0]);
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    while (true) {
        const std::size_t end = rest.find(separator);
        frames.emplace_back(rest.data(), end == std::string_view::npos ? rest.size() : end);
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    return frames;
}

// What the receiver of each message does with its contents.
void use_like_a_receiver(const Message& message) {
    if (const auto* result = std::get_if<Result>(&message)) {
        (void)record_to_cli_json(result->record).dump();
    } else if (const auto* record = std::get_if<Record>(&message)) {
        (void)record_to_cli_json(record->record).dump();
    } else if (const auto* reply = std::get_if<WorkersReply>(&message)) {
        std::string error;
        auto status = parse_subworker_status(reply->status_json, &error);
        if (!status) {
            if (error.empty()) fail("parse_subworker_status refused without a reason");
            return;
        }
        std::string written = to_json_text(*status);
        if (!parse_subworker_status(written, &error)) {
            fail("a parsed subworker status does not parse once written back: " + error);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Frames frames = split_frames(data, size);
    DecodeResult decoded = decode(frames);
    if (!decoded.message) {
        if (decoded.error.empty()) fail("decode refused a message without a reason");
        return 0;
    }
    if (!decoded.error.empty()) fail("decode returned both a message and an error");
    use_like_a_receiver(*decoded.message);

    const std::string type(message_type_name(*decoded.message));
    Frames encoded = encode(std::move(*decoded.message));
    DecodeResult again = decode(encoded);
    if (!again.message) fail(type + " does not decode after encode: " + again.error);
    if (message_type_name(*again.message) != type) {
        fail(type + " decodes as " + std::string(message_type_name(*again.message)) +
             " after encode");
    }
    return 0;
}

// wire_input.cpp -- see wire_input.hpp.
#include "wire_input.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace fastqueue::fuzz {

namespace {

constexpr std::size_t kFrameHeaderBytes = 5;

std::uint32_t read_u32(const std::uint8_t* bytes) {
    return static_cast<std::uint32_t>(bytes[0]) | static_cast<std::uint32_t>(bytes[1]) << 8 |
           static_cast<std::uint32_t>(bytes[2]) << 16 | static_cast<std::uint32_t>(bytes[3]) << 24;
}

void append_u32(std::string& out, std::uint32_t value) {
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

std::string repeat(std::string_view unit, std::uint32_t count) {
    std::string out;
    out.reserve(unit.size() * count);
    for (std::uint32_t i = 0; i < count; ++i) out.append(unit);
    return out;
}

// Every type of protocol 1, then names no peer knows.
// clang-format off
constexpr std::array<std::string_view, 22> kTypeNames = {
    "SUBMIT", "ACK", "REFUSED", "QUERY", "CANCEL", "RESULT", "RECORD", "NOT_FOUND",
    "CANCEL_REPLY", "ERROR", "REGISTER", "REGISTERED", "REGISTER_REFUSED", "HEARTBEAT",
    "DEREGISTER", "REREGISTER", "WORKERS", "WORKERS_REPLY", "ANNOUNCE",
    "submit", "", std::string_view("SUBMIT\0", 7)};

constexpr std::array<std::string_view, 4> kProtocolIds = {"FQ/1", "FQ/2", "FQ/", "fq/1"};

// %u is the port. Each host is one an attacker would try, or one that
// parse_endpoint() must tell apart from the others.
constexpr std::array<const char*, 9> kAddressForms = {
    "tcp://127.0.0.1:%u", "tcp://[::1]:%u", "tcp://[:::::]:%u", "tcp://localhost:%u",
    "tcp://*:%u", "tcp://%u", "tcp://127.0.0.1:%u0", "ipc:///tmp/fastqueue-fuzz-%u",
    "tcp://no-such-host.invalid:%u"};
// clang-format on

constexpr std::array<std::string_view, 6> kOptionMembers = {
    "timeout_ms", "default_timeout_ms", "max_retries", "retry_backoff_ms", "countdown_ms", "eta"};

std::string task_id_from(std::uint32_t n) {
    char text[37];
    std::snprintf(text, sizeof text, "%08x-0000-4000-8000-%012x", n, n);
    return text;
}

}  // namespace

WireInput parse_wire_input(const std::uint8_t* data, std::size_t size) {
    WireInput input;
    if (size == 0) return input;
    input.port = data[0];
    std::size_t at = 1;
    while (input.frames.size() < kMaxFrames && size - at >= kFrameHeaderBytes) {
        const std::uint8_t kind = data[at];
        const std::uint32_t value = read_u32(data + at + 1);
        at += kFrameHeaderBytes;
        WireFrame frame;
        if (kind % 2 == 1) {
            frame.is_generated = true;
            frame.recipe = static_cast<Recipe>((kind >> 1) % kRecipeCount);
            frame.parameter = value;
        } else {
            const std::size_t length = std::min<std::size_t>(value, size - at);
            frame.bytes.assign(reinterpret_cast<const char*>(data + at), length);
            at += length;
        }
        input.frames.push_back(std::move(frame));
    }
    return input;
}

std::string serialize_wire_input(const WireInput& input) {
    std::string out(1, static_cast<char>(input.port));
    for (const WireFrame& frame : input.frames) {
        if (frame.is_generated) {
            out.push_back(static_cast<char>(2 * frame.recipe + 1));
            append_u32(out, frame.parameter);
        } else {
            out.push_back('\0');
            append_u32(out, static_cast<std::uint32_t>(frame.bytes.size()));
            out.append(frame.bytes);
        }
    }
    return out;
}

std::string expand_frame(const WireFrame& frame) {
    if (!frame.is_generated) return frame.bytes;
    const std::uint32_t n = frame.parameter;
    const std::uint32_t depth = std::min(n, kMaxNesting);
    const std::uint32_t length = std::min(n, kMaxGeneratedBytes);
    switch (frame.recipe) {
        case kNestedArrays:
            return std::string(depth, '[') + std::string(depth, ']');
        case kNestedObjects: {
            const std::uint32_t levels = std::min(depth, kMaxJsonBytes / 6);
            return repeat("{\"a\":", levels) + "0" + std::string(levels, '}');
        }
        case kUnclosedArrays:
            return std::string(depth, '[');
        case kJsonString:
            return "\"" + std::string(std::min(n, kMaxJsonBytes), 'x') + "\"";
        case kRepeatedByte:
            return std::string(length, 'A');
        case kTaskNameList:
        case kObjectWithKeys: {
            const bool is_list = frame.recipe == kTaskNameList;
            std::string out(1, is_list ? '[' : '{');
            for (std::uint32_t i = 0; i < n && out.size() < kMaxJsonBytes; ++i) {
                if (i > 0) out.push_back(',');
                const std::string index = std::to_string(i);
                out += is_list ? "\"t" + index + "\"" : "\"k" + index + "\":" + index;
            }
            out.push_back(is_list ? ']' : '}');
            return out;
        }
        case kTaskId:
            return task_id_from(n);
        case kMessageType:
            return std::string(kTypeNames[n % kTypeNames.size()]);
        case kProtocolId:
            return std::string(kProtocolIds[n % kProtocolIds.size()]);
        case kDecimal:
            return std::to_string(n);
        case kAddress: {
            char text[96];
            std::snprintf(text, sizeof text, kAddressForms[(n >> 16) % kAddressForms.size()],
                          n & 0xffffu);
            return text;
        }
        case kWorkerId:
            return std::string(length, 'w');
        case kFlagsByte:
            return std::string(1, static_cast<char>(n & 0xffu));
        case kSubmitOptions: {
            const std::string_view member = kOptionMembers[(n >> 28) % kOptionMembers.size()];
            const std::uint32_t value = n & 0x0fffffffu;
            const std::string text = member == "eta"
                                         ? "\"2026-11-27T23:52:33." + std::to_string(value) + "Z\""
                                         : std::to_string(value);
            return "{\"" + std::string(member) + "\":" + text + "}";
        }
        case kRecipeCount:
            break;
    }
    return {};
}

}  // namespace fastqueue::fuzz

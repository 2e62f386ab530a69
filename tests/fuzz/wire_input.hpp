// wire_input.hpp -- the input format of fuzz_wire_roles: one multipart
// message for one port of a running control plane or subworker, as frames
// that are either literal bytes or a compact recipe for a hostile frame
// (nesting 100,000 deep, a 17 MiB frame, 10,001 task names, a valid-looking
// task id or address). A recipe keeps a huge frame a few bytes long in the
// corpus, and lets the custom mutator turn any frame into a hostile one.
//
//   input := port frame*          (frames after the first kMaxFrames are ignored)
//   port  := 1 byte; its value % kPortCount picks the port (see Port)
//   frame := kind:u8 size:u32 little-endian, then
//            kind even: a literal frame of `size` bytes (fewer when the input ends)
//            kind odd:  recipe (kind >> 1) % kRecipeCount with parameter `size`;
//                       no bytes follow
//
// Any bytes parse (trailing bytes too short for a frame header are dropped),
// so the format is total. The numbers of Port and Recipe are the corpus's
// file format (tests/fuzz/write_seed_corpus.py writes them): never renumber,
// only append.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fastqueue::fuzz {

// The port the message goes to: the control plane's base+0..5, then the
// subworker's base+0..3.
enum Port : std::uint8_t {
    kControlPlaneCritical,
    kControlPlaneHigh,
    kControlPlaneNormal,
    kControlPlaneLow,
    kControlPlaneQuery,
    kControlPlaneManagement,
    kSubworkerCritical,
    kSubworkerHigh,
    kSubworkerNormal,
    kSubworkerLow,
    kPortCount
};

// How a generated frame is made from its parameter n.
enum Recipe : std::uint8_t {
    kNestedArrays,    // n '[' then n ']' (n <= kMaxNesting)
    kNestedObjects,   // n '{"a":' then 0 then n '}' (at most kMaxJsonBytes)
    kUnclosedArrays,  // n '[' (n <= kMaxNesting)
    kJsonString,      // a JSON string of n 'x' (at most kMaxJsonBytes)
    kRepeatedByte,    // n bytes 'A' (n <= kMaxGeneratedBytes): an oversized frame
    kTaskNameList,    // a JSON array of n distinct task names (at most kMaxJsonBytes)
    kObjectWithKeys,  // a JSON object of n members "kI":I (at most kMaxJsonBytes)
    kTaskId,          // a canonical lower-case UUID made from n
    kMessageType,     // a message type name (n picks it; some are unknown)
    kProtocolId,      // "FQ/1", or another version (n picks it)
    kDecimal,         // n in decimal
    kAddress,         // an address of form n >> 16 (some invalid) and port n & 0xffff
    kWorkerId,        // n 'w' (n <= kMaxGeneratedBytes): a worker id or task name
    kFlagsByte,       // the one byte n & 0xff
    kSubmitOptions,  // {"MEMBER":VALUE}: member n >> 28 of the SUBMIT options, value n & 0x0fffffff
    kRecipeCount
};

inline constexpr std::size_t kMaxFrames = 16;
// Twice the depth that overflowed a role's stack.
inline constexpr std::uint32_t kMaxNesting = 200'000;
// JSON that a role parses in full costs about 1 s per 100 KB in the ASan
// fuzzing build (-O0, coverage on every comparison): generated JSON stays
// below this, so that a role answers well within the fuzzer's deadline.
// Frames larger than a documented limit are refused by their size before
// they are parsed: kRepeatedByte reaches those limits.
inline constexpr std::uint32_t kMaxJsonBytes = 256 * 1024;
// Above every port's documented message limit (a 16 MiB payload), so that
// the drop of oversized messages is reached on every port.
inline constexpr std::uint32_t kMaxGeneratedBytes = 24 * 1024 * 1024;

struct WireFrame {
    bool is_generated = false;
    Recipe recipe = kNestedArrays;  // when is_generated
    std::uint32_t parameter = 0;    // when is_generated
    std::string bytes;              // when literal
};

struct WireInput {
    std::uint8_t port = 0;  // the raw byte; port % kPortCount is the Port
    std::vector<WireFrame> frames;
};

WireInput parse_wire_input(const std::uint8_t* data, std::size_t size);
// The bytes that parse_wire_input reads back as `input`.
std::string serialize_wire_input(const WireInput& input);
// The frame's bytes: the literal ones, or the recipe's output.
std::string expand_frame(const WireFrame& frame);

}  // namespace fastqueue::fuzz

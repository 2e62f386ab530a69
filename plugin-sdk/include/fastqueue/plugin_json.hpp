// fastqueue/plugin_json.hpp -- how the C++ wrapper (fastqueue/plugin.hpp) reads
// a task's input text into nlohmann::json and writes its result back to text:
// the same values and the same text as nlohmann's own parser and serializer,
// without their cost of a few nanoseconds per byte (about 0.6 ms for a 64 KiB
// string argument read and written back).
//
// Contracts:
//   - parse_json(text, size) returns what json::parse would return for the
//     same bytes, with the same number types (a non-negative integer is
//     unsigned, a negative one signed, anything with a fraction or exponent a
//     double), and throws what json::parse throws, with one exception: text
//     nested more than kMaxJsonDepth arrays and objects deep throws
//     JsonTooDeep. Writing such a value back, like any recursive walk over
//     it, could overflow the stack of the runtime thread that runs the task.
//     Text that simdjson's validating DOM parser accepts is converted from its
//     document; anything it refuses (invalid JSON, a byte-order mark, an
//     integer beyond 64 bits, too deep) is handed to json::parse, so every
//     error message and every case simdjson does not take is nlohmann's own.
//   - dump_json(value) returns value.dump() and throws what it throws. A
//     string of printable ASCII with nothing to escape is copied as it is;
//     every other string and every number, boolean and null is written by
//     nlohmann, so the text is identical.
//   - Both are reentrant: no state is shared between calls or threads.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fastqueue::plugin::detail {

// The deepest nesting of arrays and objects that parse_json accepts: 1024,
// simdjson's own limit.
inline constexpr std::size_t kMaxJsonDepth = simdjson::DEFAULT_MAX_DEPTH;

// Thrown by parse_json for text nested deeper than kMaxJsonDepth.
class JsonTooDeep : public std::runtime_error {
public:
    JsonTooDeep()
        : std::runtime_error("nested more than " + std::to_string(kMaxJsonDepth) +
                             " arrays and objects deep") {}
};

// Converts one element of a simdjson document into the value json::parse
// gives for the same text. simdjson reads "-0" as the integer 0, so the sign
// json::parse keeps (as a signed integer) is lost here: saw_zero_integer is
// set whenever an integer 0 is met, for the caller to check the text.
// Recurses once per level of the document. parse_json passes only documents
// its parser accepted, and a simdjson parser refuses (DEPTH_ERROR) anything
// deeper than its max_depth(), DEFAULT_MAX_DEPTH unless set: the recursion
// is at most kMaxJsonDepth + 1 calls deep, whatever the input.
inline nlohmann::json json_from_simdjson(simdjson::dom::element element, bool& saw_zero_integer) {
    using Type = simdjson::dom::element_type;
    switch (element.type()) {
        case Type::ARRAY: {
            nlohmann::json array = nlohmann::json::array();
            const simdjson::dom::array items = element.get_array().value_unsafe();
            for (const simdjson::dom::element item : items)
                array.push_back(json_from_simdjson(item, saw_zero_integer));
            return array;
        }
        case Type::OBJECT: {
            nlohmann::json object = nlohmann::json::object();
            const simdjson::dom::object members = element.get_object().value_unsafe();
            // A repeated key keeps its last value, as json::parse does.
            for (const simdjson::dom::key_value_pair member : members)
                object[std::string(member.key)] =
                    json_from_simdjson(member.value, saw_zero_integer);
            return object;
        }
        case Type::INT64: {
            const std::int64_t number = element.get_int64().value_unsafe();
            if (number < 0) return number;
            if (number == 0) saw_zero_integer = true;
            return static_cast<std::uint64_t>(number);
        }
        case Type::UINT64:
            return element.get_uint64().value_unsafe();
        case Type::DOUBLE:
            return element.get_double().value_unsafe();
        case Type::STRING:
            return std::string(element.get_string().value_unsafe());
        case Type::BOOL:
            return element.get_bool().value_unsafe();
        case Type::NULL_VALUE:
            return nullptr;
    }
    return nullptr;  // every element_type is handled above
}

// Parses size bytes at text as JSON (see the contract above).
inline nlohmann::json parse_json(const char* text, std::size_t size) {
    {
        // Its max_depth() is kMaxJsonDepth: that bounds json_from_simdjson's
        // recursion below.
        simdjson::dom::parser parser;
        simdjson::dom::element root;
        // realloc_if_needed: the input has no padding, so simdjson reads a
        // padded copy of it.
        if (parser.parse(text, size, true).get(root) == simdjson::SUCCESS) {
            bool saw_zero_integer = false;
            nlohmann::json value = json_from_simdjson(root, saw_zero_integer);
            if (!saw_zero_integer ||
                std::string_view(text, size).find("-0") == std::string_view::npos)
                return value;
            // An integer 0 that may have been written "-0": json::parse decides.
        }
    }
    // The callback sees each array and object start with the number of
    // arrays and objects around it.
    return nlohmann::json::parse(
        text, text + size, [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            const bool is_start = event == nlohmann::json::parse_event_t::array_start ||
                                  event == nlohmann::json::parse_event_t::object_start;
            if (is_start && static_cast<std::size_t>(depth) >= kMaxJsonDepth) throw JsonTooDeep();
            return true;
        });
}

// True when the byte needs more than a copy in a JSON string: a control
// character, '"', '\\', or part of a UTF-8 sequence (which dump() checks).
inline bool needs_json_work(unsigned char byte) {
    return byte < 0x20 || byte >= 0x80 || byte == '"' || byte == '\\';
}

// True when no byte of text needs work (needs_json_work): the JSON string is
// then the bytes between quotes. With GCC and clang, 16 bytes at a time as a
// vector of signed bytes, in which one comparison, "less than 0x20", finds
// both the control characters and the bytes from 0x80 (negative as signed).
inline bool is_plain_json_text(std::string_view text) {
    std::size_t i = 0;
#if defined(__GNUC__)
    using Bytes16 = signed char __attribute__((vector_size(16)));
    const auto block_needs_work = [](const char* data) {
        Bytes16 bytes;
        std::memcpy(&bytes, data, sizeof bytes);
        const Bytes16 flagged = (bytes < 0x20) | (bytes == '"') | (bytes == '\\');
        std::uint64_t halves[2];
        std::memcpy(halves, &flagged, sizeof halves);
        return (halves[0] | halves[1]) != 0;
    };
    for (; i + 16 <= text.size(); i += 16) {
        if (block_needs_work(text.data() + i)) return false;
    }
#endif
    for (; i < text.size(); ++i) {
        if (needs_json_work(static_cast<unsigned char>(text[i]))) return false;
    }
    return true;
}

inline void append_json_string(const std::string& text, std::string& out) {
    if (is_plain_json_text(text)) {
        out.reserve(out.size() + text.size() + 2);
        out += '"';
        out += text;
        out += '"';
    } else {
        out += nlohmann::json(text).dump();
    }
}

// Appends the text of value.dump() to out. Recurses once per level, like
// dump(): a value parse_json returned is at most kMaxJsonDepth deep.
inline void append_json(const nlohmann::json& value, std::string& out) {
    switch (value.type()) {
        case nlohmann::json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [key, member] : value.get_ref<const nlohmann::json::object_t&>()) {
                if (!first) out += ',';
                first = false;
                append_json_string(key, out);
                out += ':';
                append_json(member, out);
            }
            out += '}';
            return;
        }
        case nlohmann::json::value_t::array: {
            out += '[';
            bool first = true;
            for (const nlohmann::json& element : value.get_ref<const nlohmann::json::array_t&>()) {
                if (!first) out += ',';
                first = false;
                append_json(element, out);
            }
            out += ']';
            return;
        }
        case nlohmann::json::value_t::string:
            append_json_string(value.get_ref<const std::string&>(), out);
            return;
        default:
            out += value.dump();
            return;
    }
}

// value.dump(), faster (see the contract above).
inline std::string dump_json(const nlohmann::json& value) {
    std::string out;
    append_json(value, out);
    return out;
}

}  // namespace fastqueue::plugin::detail

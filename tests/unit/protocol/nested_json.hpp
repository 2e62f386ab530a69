// nested_json.hpp -- JSON texts nested as deep as a test asks, for the tests
// that every reader of network JSON refuses a text nested past its bound
// (runtime/protocol/bounded_json.hpp), however deep, without crashing.
#pragma once

#include <cstddef>
#include <string>

namespace fastqueue::test {

// How deep a hostile peer nests a frame: deep enough that a walk recursing
// once per level overflows the stack.
inline constexpr std::size_t kHostileNesting = 100'000;

// `depth` arrays around `inner`: nested_arrays(2, "1") is [[1]].
inline std::string nested_arrays(std::size_t depth, const std::string& inner = "") {
    return std::string(depth, '[') + inner + std::string(depth, ']');
}

// `depth` objects around `inner`: nested_objects(2, "1") is {"a":{"a":1}}.
inline std::string nested_objects(std::size_t depth, const std::string& inner = "1") {
    std::string text;
    text.reserve(depth * 6 + inner.size());
    for (std::size_t i = 0; i < depth; ++i) text += "{\"a\":";
    text += inner;
    text.append(depth, '}');
    return text;
}

}  // namespace fastqueue::test

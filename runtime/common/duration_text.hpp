// duration_text.hpp -- a duration as people write it in FastQueue's
// messages: seconds with at most three decimals and no trailing zeros.
#pragma once

#include <chrono>
#include <string>

namespace fastqueue {

// "30 s", "0.3 s", "1.25 s".
std::string format_seconds(std::chrono::milliseconds duration);

}  // namespace fastqueue

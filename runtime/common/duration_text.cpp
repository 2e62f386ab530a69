// duration_text.cpp -- see duration_text.hpp.
#include "common/duration_text.hpp"

#include <cstdio>

namespace fastqueue {

std::string format_seconds(std::chrono::milliseconds duration) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(duration.count()) / 1000.0);
    std::string seconds = text;
    seconds.erase(seconds.find_last_not_of('0') + 1);
    if (seconds.back() == '.') seconds.pop_back();
    return seconds + " s";
}

}  // namespace fastqueue

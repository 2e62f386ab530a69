// sanitizer_report.cpp -- see sanitizer_report.hpp.
#include "harness/sanitizer_report.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace fastqueue::e2e {
namespace {

// What each sanitizer writes at the start of a report.
constexpr std::array<std::string_view, 5> kReportMarkers{
    "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
    "ThreadSanitizer: ", "runtime error:"};

}  // namespace

std::string find_sanitizer_report(const std::string& text) {
    std::size_t first = std::string::npos;
    for (const auto marker : kReportMarkers) {
        first = std::min(first, text.find(marker));
    }
    if (first == std::string::npos) return "";
    const std::size_t line_start = text.rfind('\n', first);
    return text.substr(line_start == std::string::npos ? 0 : line_start + 1);
}

}  // namespace fastqueue::e2e

// sanitizer_report.hpp -- finds what a sanitizer printed in a child's
// stderr, so that a finding fails the test even when the child's exit status
// does not show it (LeakSanitizer at exit, a report from a thread that was
// still running, a runtime built to continue).
#pragma once

#include <string>

namespace fastqueue::e2e {

// The first sanitizer report in text, from the start of the line that
// begins it to the end of text, or "" when there is none. Recognised:
// AddressSanitizer, LeakSanitizer and ThreadSanitizer reports ("ERROR:
// AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer"),
// and UndefinedBehaviorSanitizer's "runtime error:" lines.
std::string find_sanitizer_report(const std::string& text);

}  // namespace fastqueue::e2e

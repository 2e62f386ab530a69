// harness_exit_check_test.cpp -- the harness fails a test whose child process
// ends badly: a process stopped with SIGTERM must exit with the status the
// test expects (0 unless it says otherwise), and a sanitizer report in any
// child's stderr fails the test. The cases marked should_fail pass only when
// the check they exercise fails the test; each has a twin that must pass, so
// a check that failed everything would not go unnoticed.
#include <doctest/doctest.h>

#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "harness/control_plane_process.hpp"
#include "harness/fastqueue_cli.hpp"
#include "harness/process.hpp"
#include "harness/sanitizer_report.hpp"

using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// A shell that runs `on_term` when it gets SIGTERM; the test waits for
// wait_until_trapping() before it signals it.
Process shell_child(const std::string& on_term) {
    return Process({"/bin/sh", "-c",
                    "trap '" + on_term + "' TERM; echo trapping; while :; do sleep 0.05; done"});
}

void wait_until_trapping(Process& child) {
    REQUIRE(poll_until([&] { return contains(child.stdout_text(), "trapping"); }, 10s));
}

// A shell that prints stderr_text and exits 0 by itself.
Process printing_child(const std::string& stderr_text) {
    return Process({"/bin/sh", "-c", "printf '%s' '" + stderr_text + "' >&2"});
}

// What LeakSanitizer prints at exit (abridged).
const std::string kLeakReport =
    "\n=================================================================\n"
    "==4242==ERROR: LeakSanitizer: detected memory leaks\n\n"
    "Direct leak of 64 byte(s) in 1 object(s) allocated from:\n"
    "    #0 0x55d1 in operator new(unsigned long)\n";

}  // namespace

TEST_CASE("find_sanitizer_report: each sanitizer's report is found from the line it starts on") {
    CHECK(find_sanitizer_report("starting\n" + kLeakReport) ==
          kLeakReport.substr(kLeakReport.find("==4242==")));
    CHECK(find_sanitizer_report("==1==ERROR: AddressSanitizer: heap-use-after-free on address") ==
          "==1==ERROR: AddressSanitizer: heap-use-after-free on address");
    CHECK(find_sanitizer_report("log line\nWARNING: ThreadSanitizer: data race (pid=7)\n") ==
          "WARNING: ThreadSanitizer: data race (pid=7)\n");
    CHECK(find_sanitizer_report(
              "info\nruntime/x.cpp:12:5: runtime error: signed integer overflow\n") ==
          "runtime/x.cpp:12:5: runtime error: signed integer overflow\n");
}

TEST_CASE("find_sanitizer_report: a log without a report gives nothing") {
    CHECK(find_sanitizer_report("").empty());
    CHECK(find_sanitizer_report("[info] control plane serving on tcp://127.0.0.1:5555\n"
                                "[warn] task failed: handler returned status 1\n")
              .empty());
}

TEST_CASE("harness: a child that exits 0 after SIGTERM passes") {
    Process child = shell_child("exit 0");
    wait_until_trapping(child);
    child.stop_and_check(10s);
}

TEST_CASE("harness: a child that exits non-zero after SIGTERM fails the test" *
          doctest::should_fail()) {
    Process child = shell_child("exit 3");
    wait_until_trapping(child);
    child.stop_and_check(10s);
}

TEST_CASE("harness: a child killed with SIGKILL passes when the test expects signal 9") {
    Process child = shell_child("");  // ignores SIGTERM: stop() ends it with SIGKILL
    wait_until_trapping(child);
    child.expect_exit_code(128 + SIGKILL);
    child.stop_and_check(2s);
}

TEST_CASE("harness: a control plane that crashes fails the test" * doctest::should_fail()) {
    ControlPlaneProcess control_plane;
    control_plane.process().send_signal(SIGABRT);
    REQUIRE(control_plane.process().wait_for_exit(15s));
}

TEST_CASE("harness: a child that prints ordinary errors and exits 0 passes") {
    Process child = printing_child("error: cannot read /nonexistent\n");
    CHECK(child.wait_for_exit(10s) == std::optional<int>(0));
}

TEST_CASE("harness: a sanitizer report in a child's stderr fails the test, even after exit 0" *
          doctest::should_fail()) {
    Process child = printing_child(kLeakReport);
    CHECK(child.wait_for_exit(10s) == std::optional<int>(0));
}

// fastqueue_cli.hpp -- running the `fastqueue` executable under test as a
// user would from a shell, and the small helpers every test uses to read
// what it printed: trimmed text, lines, JSON and ISO-8601 timestamps, and a
// bounded poll for conditions that become true later.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "harness/process.hpp"

namespace fastqueue::e2e {

// The fastqueue binary of this build and the directory its plugins are built
// into (compile definitions set by tests/e2e/CMakeLists.txt).
const std::string& fastqueue_binary();
const std::string& test_modules_dir();

// The outcome of one run of `fastqueue`. exit_code is kTimedOut when the run
// did not end within its timeout (it was then killed).
struct RunResult {
    static constexpr int kTimedOut = -1;
    int exit_code = kTimedOut;
    std::string stdout_text;
    std::string stderr_text;

    // Exit code, stdout and stderr in one string, for failure messages.
    std::string describe() const;
};

// Runs `fastqueue ARGS...` to completion. The default timeout is generous:
// it only bounds a hung run, it is never a claim about speed.
RunResult run_fastqueue(const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30),
                        const EnvironmentVariables& extra_environment = {});

// text without leading and trailing whitespace.
std::string trim(const std::string& text);
// The non-empty lines of text, each trimmed.
std::vector<std::string> non_empty_lines(const std::string& text);
// The strings joined with ", " (readable in failure messages).
std::string join(const std::vector<std::string>& parts);
// True when text contains needle.
bool contains(const std::string& text, const std::string& needle);
// text parsed as one JSON value; a discarded value (is_discarded()) when it is not.
nlohmann::json parse_json(const std::string& text);
// True for "2026-11-27T23:52:33.123456Z": UTC, ISO-8601, microseconds.
bool is_iso_timestamp(const std::string& text);
// True for a canonical lower-case UUID.
bool is_lowercase_uuid(const std::string& text);

// Calls condition every interval until it returns true or timeout passes.
// Returns whether it became true. Every wait for a condition goes through
// here; the other waits are blocking calls with a timeout of their own
// (Process::wait_for_exit, WireClient::receive, the client's requests).
bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(10));

}  // namespace fastqueue::e2e

// fastqueue_cli.cpp -- see fastqueue_cli.hpp.
#include "harness/fastqueue_cli.hpp"

#include <csignal>
#include <regex>
#include <sstream>

#ifndef FASTQUEUE_BINARY
#error "FASTQUEUE_BINARY must name the fastqueue executable under test"
#endif
#ifndef FASTQUEUE_TEST_MODULES_DIR
#error "FASTQUEUE_TEST_MODULES_DIR must name the build's modules directory"
#endif

namespace fastqueue::e2e {

const std::string& fastqueue_binary() {
    static const std::string path = FASTQUEUE_BINARY;
    return path;
}

const std::string& test_modules_dir() {
    static const std::string path = FASTQUEUE_TEST_MODULES_DIR;
    return path;
}

std::string RunResult::describe() const {
    std::ostringstream text;
    text << "exit code "
         << (exit_code == kTimedOut ? std::string("(timed out)") : std::to_string(exit_code))
         << "\n--- stdout ---\n"
         << stdout_text << "\n--- stderr ---\n"
         << stderr_text;
    return text.str();
}

RunResult run_fastqueue(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                        const EnvironmentVariables& extra_environment) {
    std::vector<std::string> argv{fastqueue_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    Process process(argv, extra_environment);
    RunResult result;
    if (auto code = process.wait_for_exit(timeout)) result.exit_code = *code;
    if (result.exit_code == RunResult::kTimedOut) {
        process.send_signal(SIGKILL);
        process.wait_for_exit(std::chrono::seconds(10));
    }
    result.stdout_text = process.stdout_text();
    result.stderr_text = process.stderr_text();
    return result;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::vector<std::string> non_empty_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

std::string join(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) {
        if (!text.empty()) text += ", ";
        text += part;
    }
    return text;
}

bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

nlohmann::json parse_json(const std::string& text) {
    return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

bool is_iso_timestamp(const std::string& text) {
    static const std::regex pattern(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$)");
    return std::regex_match(text, pattern);
}

bool is_lowercase_uuid(const std::string& text) {
    static const std::regex pattern(
        R"(^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)");
    return std::regex_match(text, pattern);
}

bool poll_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace fastqueue::e2e

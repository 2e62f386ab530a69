// fq_test_journal -- a task whose every run leaves a trace outside FastQueue,
// so that a test can count how often each task ran across control-plane
// restarts (fastqueue-soak --kill-control-plane).
//
//   journal.trace(path, line, seconds, error)
//       Appends `line` and a newline to the file `path` (created 0644 when
//       missing) with one write() on an O_APPEND descriptor, so that lines of
//       concurrent runs never interleave; then sleeps `seconds` (0 to 60,
//       honouring cancellation); then fails with `error` when it is not
//       empty, else returns `line`. The line is written before anything else,
//       so a run that is killed later still counts.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fastqueue/plugin.hpp>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using fastqueue::plugin::TaskContext;

constexpr double kMaxSleepSeconds = 60.0;
constexpr auto kCancelPollInterval = std::chrono::milliseconds(5);

void append_line(const std::string& path, const std::string& line) {
    if (line.find('\n') != std::string::npos) throw std::invalid_argument("line has a newline");
    const int file = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (file < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    const std::string text = line + "\n";
    const ssize_t written = ::write(file, text.data(), text.size());
    const int write_errno = errno;
    ::close(file);
    if (written != static_cast<ssize_t>(text.size())) {
        throw std::runtime_error("cannot append to " + path + ": " + std::strerror(write_errno));
    }
}

std::string trace(TaskContext& context, const std::string& path, const std::string& line,
                  double seconds, const std::string& error) {
    if (!(seconds >= 0.0 && seconds <= kMaxSleepSeconds))
        throw std::invalid_argument("seconds must be in [0, 60]");
    append_line(path, line);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        context.throw_if_cancelled();
        std::this_thread::sleep_for(kCancelPollInterval);
    }
    if (!error.empty()) throw std::runtime_error(error);
    return line;
}

}  // namespace

FASTQUEUE_PLUGIN("fq_test_journal", "1.0.0") {
    plugin.task("journal.trace", "Appends a line to a file, sleeps, then returns it or fails",
                trace, {"path", "line", "seconds", "error"});
}

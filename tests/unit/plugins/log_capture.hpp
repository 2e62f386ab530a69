// log_capture.hpp -- a test helper that captures what the runtime logs.
//
// While a LogCapture lives, spdlog's default logger writes "<level> <message>"
// lines into memory (and nowhere else); destroying it restores the previous
// default logger. Plugins' log lines go through the host API to that logger,
// which is how the loader tests see that init and shutdown ran.
#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace fastqueue::testing {

class LogCapture {
public:
    LogCapture()
        : previous_(spdlog::default_logger()),
          sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kCapacity)) {
        auto logger = std::make_shared<spdlog::logger>("capture", sink_);
        logger->set_pattern("%l %v");
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(std::move(logger));
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::vector<std::string> lines() const {
        auto lines = sink_->last_formatted();
        for (auto& line : lines) {
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        }
        return lines;
    }
    // Index of the first line containing text, or -1.
    int find(const std::string& text) const {
        const auto all = lines();
        const auto it = std::find_if(all.begin(), all.end(), [&](const std::string& line) {
            return line.find(text) != std::string::npos;
        });
        return it == all.end() ? -1 : static_cast<int>(it - all.begin());
    }
    bool contains(const std::string& text) const { return find(text) >= 0; }

private:
    static constexpr std::size_t kCapacity = 256;
    std::shared_ptr<spdlog::logger> previous_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

}  // namespace fastqueue::testing

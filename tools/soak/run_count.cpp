// run_count.cpp -- see run_count.hpp.
#include "run_count.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <unordered_set>

namespace fastqueue::soak {

std::unordered_map<std::uint64_t, std::uint32_t> read_run_trace(const std::string& path,
                                                                std::uint64_t& malformed_lines) {
    std::unordered_map<std::uint64_t, std::uint32_t> runs;
    std::ifstream file(path);
    std::string line;
    while (std::getline(file, line)) {
        std::uint64_t index = 0;
        const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), index);
        if (error != std::errc() || end != line.data() + line.size() || line.empty()) {
            ++malformed_lines;
            continue;
        }
        ++runs[index];
    }
    return runs;
}

namespace {

// True when a kill came after the task was first sent and before its final
// record was read: its run may have been cut short, or it may have been
// running without its end reaching the journal.
bool is_in_flight_at_a_kill(const AcknowledgedTask& task,
                            const std::vector<std::chrono::steady_clock::time_point>& kills) {
    return std::any_of(kills.begin(), kills.end(), [&](auto kill) {
        return task.submitted_at <= kill && kill <= task.finished_at;
    });
}

std::string seconds_since(std::chrono::steady_clock::time_point start,
                          std::chrono::steady_clock::time_point at) {
    if (at == std::chrono::steady_clock::time_point::max()) return "never";
    char text[32];
    std::snprintf(text, sizeof(text), "%.3f s", std::chrono::duration<double>(at - start).count());
    return text;
}

std::string next_kill_after(std::chrono::steady_clock::time_point start,
                            std::chrono::steady_clock::time_point at,
                            const std::vector<std::chrono::steady_clock::time_point>& kills) {
    auto next = std::chrono::steady_clock::time_point::max();
    for (auto kill : kills) {
        if (kill > at) next = std::min(next, kill);
    }
    return seconds_since(start, next);
}

}  // namespace

RunCounts count_runs(
    const std::vector<AcknowledgedTask>& tasks,
    const std::unordered_map<std::uint64_t, std::uint32_t>& runs,
    const std::vector<std::chrono::steady_clock::time_point>& kills,
    std::chrono::steady_clock::time_point run_start,
    const std::function<void(const AcknowledgedTask&, const std::string&)>& problem) {
    RunCounts counts;
    for (const auto& [index, count] : runs) counts.traced_runs += count;
    std::unordered_set<std::uint64_t> acknowledged;
    for (const AcknowledgedTask& task : tasks) {
        acknowledged.insert(task.index);
        const auto found = runs.find(task.index);
        const std::uint32_t count = found == runs.end() ? 0 : found->second;
        counts.max_runs = std::max(counts.max_runs, count);
        if (count == 0 && task.is_finished) {
            ++counts.finished_without_run;
            problem(task, "finished, but no run of it left a trace");
        }
        if (count > 1) {
            ++counts.ran_more_than_once;
            if (is_in_flight_at_a_kill(task, kills)) {
                ++counts.ran_again_after_kill;
            } else if (task.is_finished && task.attempts >= count) {
                ++counts.ran_again_counted;
            } else {
                ++counts.ran_again_unexplained;
                problem(task, "ran " + std::to_string(count) + " times (attempts " +
                                  std::to_string(task.attempts) +
                                  "), though no kill came between its SUBMIT at " +
                                  seconds_since(run_start, task.submitted_at) +
                                  " and its final record read at " +
                                  seconds_since(run_start, task.finished_at) +
                                  "; the next kill came at " +
                                  next_kill_after(run_start, task.finished_at, kills));
            }
        }
        if (task.is_finished && count > task.attempts) {
            ++counts.runs_beyond_attempts;
            problem(task, "ran " + std::to_string(count) + " times, but its record says " +
                              std::to_string(task.attempts) + " attempts (SUBMIT at " +
                              seconds_since(run_start, task.submitted_at) +
                              ", final record read at " +
                              seconds_since(run_start, task.finished_at) + ")");
        }
    }
    for (const auto& [index, count] : runs) {
        if (acknowledged.count(index) == 0) ++counts.unacknowledged_runs;
    }
    return counts;
}

}  // namespace fastqueue::soak

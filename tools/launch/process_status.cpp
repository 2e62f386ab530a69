// process_status.cpp -- see process_status.hpp.
#include "launch/process_status.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fastqueue::launch {

std::optional<std::uint64_t> read_status_bytes(pid_t pid, std::string_view field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    const std::string prefix = std::string(field) + ":";
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(prefix, 0) == 0) {
            // The kernel writes these in kB.
            return std::strtoull(line.c_str() + prefix.size(), nullptr, 10) * 1024;
        }
    }
    return std::nullopt;
}

std::optional<double> read_cpu_seconds(pid_t pid) {
    std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat_file, line)) return std::nullopt;
    // "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so the
    // fields are counted from the last ')'. utime and stime are fields 14
    // and 15, the 12th and 13th after it.
    const auto end_of_comm = line.rfind(')');
    if (end_of_comm == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(end_of_comm + 1));
    std::string field;
    for (int i = 0; i < 11; ++i) fields >> field;
    unsigned long long user_ticks = 0;
    unsigned long long system_ticks = 0;
    if (!(fields >> user_ticks >> system_ticks)) return std::nullopt;
    const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
    if (ticks_per_second <= 0) return std::nullopt;
    return static_cast<double>(user_ticks + system_ticks) / static_cast<double>(ticks_per_second);
}

}  // namespace fastqueue::launch

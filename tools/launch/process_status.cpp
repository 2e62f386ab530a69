// process_status.cpp -- see process_status.hpp.
#include "launch/process_status.hpp"

#include <cstdlib>
#include <fstream>
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

}  // namespace fastqueue::launch

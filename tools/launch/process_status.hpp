// process_status.hpp -- a process's memory as the kernel reports it in
// /proc/PID/status, for tools and tests that watch a FastQueue process grow
// (or not): VmRSS (resident now) and VmHWM (the peak resident set); and the
// CPU time it has used, from /proc/PID/stat.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace fastqueue::launch {

// The value of a "Name:   N kB" line of /proc/PID/status, in bytes (e.g.
// field "VmRSS" or "VmHWM"); std::nullopt when the process or the line is
// not there.
std::optional<std::uint64_t> read_status_bytes(pid_t pid, std::string_view field);

inline std::optional<std::uint64_t> read_resident_bytes(pid_t pid) {
    return read_status_bytes(pid, "VmRSS");
}
inline std::optional<std::uint64_t> read_peak_resident_bytes(pid_t pid) {
    return read_status_bytes(pid, "VmHWM");
}

// The CPU time the process has used so far, user plus system, all its
// threads together, in seconds (clock-tick resolution, usually 10 ms);
// std::nullopt when the process is not there.
std::optional<double> read_cpu_seconds(pid_t pid);

}  // namespace fastqueue::launch

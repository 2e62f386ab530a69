// process_launcher.hpp -- starts the `fastqueue` processes a benchmark runs
// against (one control plane and N subworkers on free 127.0.0.1 ports), waits
// until they serve, reads their peak resident memory, and always stops them.
//
// Destruction stops every process still running: SIGTERM, then SIGKILL after
// kStopDeadlineMs. Each process's stderr goes to a log file in log_dir so a
// failed start can be explained.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench_options.hpp"

namespace fastqueue::bench {

struct SpawnedProcess {
    std::string name;                  // "control-plane" or the subworker's worker id
    pid_t pid = -1;                    // -1 once stopped
    std::string log_path;              // its stderr
    std::uint64_t peak_rss_bytes = 0;  // VmHWM, read just before it was stopped
};

class ProcessLauncher {
public:
    static constexpr int kStopDeadlineMs = 5000;

    // Picks free ports and starts the control plane and options.spawn_subworkers
    // subworkers; returns when the control plane answers and every subworker is
    // active, or throws std::runtime_error (naming the log to read) when that
    // did not happen before `deadline`.
    ProcessLauncher(const BenchOptions& options, std::chrono::steady_clock::time_point deadline);
    ~ProcessLauncher();
    ProcessLauncher(const ProcessLauncher&) = delete;
    ProcessLauncher& operator=(const ProcessLauncher&) = delete;

    // tcp://127.0.0.1:PORT of the control plane.
    const std::string& control_plane_address() const { return control_plane_address_; }

    // Reads each process's VmHWM, then stops them all. Idempotent.
    void stop_all();

    // Valid after stop_all(): the control plane first, then the subworkers.
    const std::vector<SpawnedProcess>& processes() const { return processes_; }

private:
    void spawn(const std::string& name, const std::vector<std::string>& arguments);
    void wait_until_serving(int subworker_count, std::chrono::steady_clock::time_point deadline);

    std::string fastqueue_path_;
    std::string log_dir_;
    std::string control_plane_address_;
    std::vector<SpawnedProcess> processes_;
};

// The peak resident set (VmHWM) of a live process, in bytes; std::nullopt when
// /proc/PID/status cannot be read.
std::optional<std::uint64_t> read_peak_rss_bytes(pid_t pid);

// The first port of `count` consecutive ports that are free on 127.0.0.1 now.
// Throws std::runtime_error when none is found after a bounded search.
int find_free_port_block(int count);

}  // namespace fastqueue::bench

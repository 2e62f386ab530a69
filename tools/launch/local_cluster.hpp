// local_cluster.hpp -- one control plane and N subworkers of the `fastqueue`
// executable on free 127.0.0.1 ports, for the developer tools (fastqueue-bench,
// fastqueue-soak): started, waited for until they serve, signalled and
// restarted one by one, their memory read, and always stopped.
//
// Destruction stops every process still running: SIGTERM, then SIGKILL after
// kStopDeadlineMs. Each process's stdout and stderr go to a log file in
// log_dir() so that a failed start (or a crash) can be explained; a restarted
// subworker appends to its log.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace fastqueue::launch {

struct ClusterOptions {
    std::string fastqueue_path;  // the `fastqueue` executable
    std::string modules_dir;     // --modules-dir of every process
    std::string task_modules = "mytasks";
    int subworker_count = 0;
    // Further subworkers that load idle_task_modules instead of task_modules:
    // registered and heartbeating, but sent no task the load submits when
    // their modules lack it. Named after the others ("<name>-swN").
    int idle_subworker_count = 0;
    std::string idle_task_modules = "fq_test_ok";
    int control_plane_concurrency = 0;  // 0: fastqueue's default (number of cores)
    int subworker_concurrency = 0;      // 0: fastqueue's default
    int subworker_prefetch = -1;        // -1: fastqueue's default
    std::string log_level = "warn";
    // The control plane's journal (--journal-dir, --journal-fsync), passed on
    // only when set; empty journal_dir: the control plane keeps tasks in memory.
    std::string journal_dir;
    std::string journal_fsync;  // "always", "never" or milliseconds; empty: fastqueue's default
    // Further control-plane flags (e.g. {"--heartbeat-interval", "0.2"}).
    std::vector<std::string> extra_control_plane_arguments;
    // Names the processes ("<name>-control-plane", "<name>-sw1", ...) and the
    // log directory (/tmp/fastqueue-<name>-XXXXXX).
    std::string name = "tool";
};

struct SpawnedProcess {
    std::string name;                    // "control-plane" or the subworker's worker id
    pid_t pid = -1;                      // -1 while not running
    std::string log_path;                // its stdout and stderr
    std::uint64_t peak_rss_bytes = 0;    // VmHWM, read just before it was last stopped
    std::vector<std::string> arguments;  // after the executable; reused by a restart
};

class LocalCluster {
public:
    static constexpr int kStopDeadlineMs = 5000;

    // Picks free ports and starts the control plane and the subworkers;
    // returns when the control plane answers and every subworker is active,
    // or throws std::runtime_error (naming the log to read) when that did not
    // happen before `deadline`.
    LocalCluster(const ClusterOptions& options, std::chrono::steady_clock::time_point deadline);
    ~LocalCluster();
    LocalCluster(const LocalCluster&) = delete;
    LocalCluster& operator=(const LocalCluster&) = delete;

    // tcp://127.0.0.1:PORT of the control plane.
    const std::string& control_plane_address() const { return control_plane_address_; }
    const std::string& log_dir() const { return log_dir_; }
    pid_t control_plane_pid() const { return processes_.front().pid; }

    // Subworker `index` (0-based) gets `signal_number` and, when it ends the
    // process, is reaped within kStopDeadlineMs. Returns false when it was not
    // running or did not end in time.
    bool kill_subworker(int index, int signal_number);
    // Starts subworker `index` again with the same worker id, ports and flags.
    // Returns at once; the control plane sees it register shortly after.
    // Every process gets SIGTERM when the *thread* that started it ends
    // (PR_SET_PDEATHSIG, so that none outlives a tool that died): call this
    // from a thread that lives until stop_all().
    void restart_subworker(int index);
    // True while subworker `index` runs (reaps it when it has exited).
    bool is_subworker_running(int index);

    // The same for the control plane: kill_control_plane() as kill_subworker();
    // restart_control_plane() starts it again with the same flags (and so the
    // same ports and journal) and returns at once, with the same thread rule
    // as restart_subworker(); wait_until_control_plane_answers() then waits
    // until it answers a query or `deadline` passes (false), or it exited
    // (throws std::runtime_error naming its log).
    bool kill_control_plane(int signal_number);
    void restart_control_plane();
    bool wait_until_control_plane_answers(std::chrono::steady_clock::time_point deadline);

    // Reads each process's VmHWM, then stops them all. Idempotent.
    void stop_all();

    // The control plane first, then the subworkers in order.
    const std::vector<SpawnedProcess>& processes() const { return processes_; }

private:
    void spawn(SpawnedProcess& process, bool is_restart);
    void wait_until_serving(int subworker_count, std::chrono::steady_clock::time_point deadline);
    SpawnedProcess& subworker(int index);
    bool is_running(SpawnedProcess& process);
    bool kill_process(SpawnedProcess& process, int signal_number);
    void restart_process(SpawnedProcess& process);

    std::string fastqueue_path_;
    std::string log_dir_;
    std::string control_plane_address_;
    std::vector<SpawnedProcess> processes_;
};

// The `fastqueue` executable and the modules directory of the build (or
// install) tree this tool sits in: `fastqueue` next to it, `../modules`.
std::string default_fastqueue_path();
std::string default_modules_dir();

}  // namespace fastqueue::launch

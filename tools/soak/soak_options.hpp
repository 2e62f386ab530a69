// soak_options.hpp -- the command line of fastqueue-soak, parsed once into a
// plain struct. Every loop the tool runs is bounded by the task count and by
// max_seconds (plus drain_seconds for the last results), and every address it
// uses is a free port on 127.0.0.1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "launch/local_cluster.hpp"

namespace fastqueue::soak {

struct SoakOptions {
    // The processes: one control plane and two subworkers the tool starts
    // (worker ids "soak-control-plane", "soak-sw1", "soak-sw2"), with mytasks.
    launch::ClusterOptions cluster;
    // Control-plane settings passed on only when set (0: fastqueue's default).
    std::uint64_t max_queued = 0;
    // Always passed, so that the tool knows when a record can have been
    // evicted before it was read.
    std::uint64_t result_cache_size = 10000;
    double heartbeat_interval_seconds = 0;
    int heartbeat_liveness = 0;
    int max_worker_losses = 0;

    // The load.
    std::uint64_t task_count = 1000000;
    std::uint32_t in_flight = 64;
    std::uint64_t sleep_every = 200;  // every Nth task is sleep(sleep_seconds); 0: none
    double sleep_seconds = 0.05;
    std::uint64_t fail_every = 100;  // every Nth task is fail(message); 0: none

    // The faults: every kill_interval_seconds one subworker (in turn) gets
    // SIGKILL and is started again, same id and ports, restart_delay_seconds
    // later. 0 turns the kills off.
    double kill_interval_seconds = 3.0;
    double restart_delay_seconds = 0.5;

    // --kill-control-plane: the control plane gets the SIGKILLs instead, at
    // random moments (each wait uniform in 0.5..1.5 x kill_interval_seconds),
    // and is started again on the same journal and ports; submitting stops
    // one interval after the last of control_plane_kills restarts. Every
    // task is then fq_test_journal's journal.trace, which appends its number
    // to trace_path on every run, so that runs are counted per task.
    bool is_killing_control_plane = false;
    std::uint64_t control_plane_kills = 20;
    // Set by run_soak(): the file the tasks append to, in the directory the
    // run creates (which also holds the journal unless --journal-dir is given).
    std::string trace_path;

    // Bounds: submitting (and waiting for the tasks in flight) stops at
    // max_seconds; the tasks still unfinished then get drain_seconds more.
    double max_seconds = 3600;
    double drain_seconds = 60;

    double progress_seconds = 10;  // a progress line on stderr this often; 0: none
    bool is_json = false;          // print one JSON object instead of the text report
};

// Parses argv. Prints help or an error and returns std::nullopt when the
// caller should exit (exit_code says with what).
std::optional<SoakOptions> parse_soak_options(int argc, char** argv, int& exit_code);

}  // namespace fastqueue::soak

// cluster_flags.cpp -- see cluster_flags.hpp.
#include "launch/cluster_flags.hpp"

namespace fastqueue::launch {

void declare_cluster_flags(CLI::App& app, ClusterOptions& cluster) {
    app.add_option("--fastqueue", cluster.fastqueue_path,
                   "The fastqueue executable to start (default: the one next to this tool)");
    app.add_option("--modules-dir", cluster.modules_dir,
                   "--modules-dir of the started processes (default: ../modules next to this "
                   "tool)");
    app.add_option("--control-plane-concurrency", cluster.control_plane_concurrency,
                   "--concurrency of the started control plane (default: fastqueue's)")
        ->check(CLI::Range(0, 1024));
    app.add_option("--subworker-concurrency", cluster.subworker_concurrency,
                   "--concurrency of each started subworker (default: fastqueue's)")
        ->check(CLI::Range(0, 1024));
    app.add_option("--idle-subworkers", cluster.idle_subworker_count,
                   "Further subworkers, started with --idle-subworker-modules: registered, but "
                   "never sent a task they lack")
        ->check(CLI::Range(0, 256));
    app.add_option("--idle-subworker-modules", cluster.idle_task_modules,
                   "--task-modules of the idle subworkers")
        ->capture_default_str();
    app.add_option("--subworker-prefetch", cluster.subworker_prefetch,
                   "--prefetch of each started subworker (default: fastqueue's)")
        ->check(CLI::Range(-1, 1024));
    app.add_option("--journal-dir", cluster.journal_dir,
                   "--journal-dir of the started control plane (default: none, tasks in memory); "
                   "an existing journal there is recovered");
    app.add_option("--journal-fsync", cluster.journal_fsync,
                   "--journal-fsync of the started control plane: always, never or MS "
                   "(default: fastqueue's)");
}

void resolve_default_paths(ClusterOptions& cluster) {
    if (cluster.fastqueue_path.empty()) cluster.fastqueue_path = default_fastqueue_path();
    if (cluster.modules_dir.empty()) cluster.modules_dir = default_modules_dir();
}

}  // namespace fastqueue::launch

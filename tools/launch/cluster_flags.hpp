// cluster_flags.hpp -- the command-line flags every tool that starts a
// LocalCluster offers, declared once: which `fastqueue` executable and modules
// directory to use, the concurrency and prefetch of the processes, and the
// control plane's journal.
#pragma once

#include <CLI/CLI.hpp>

#include "launch/local_cluster.hpp"

namespace fastqueue::launch {

// Declares --fastqueue, --modules-dir, --control-plane-concurrency,
// --subworker-concurrency, --subworker-prefetch, --idle-subworkers,
// --idle-subworker-modules, --journal-dir and --journal-fsync on `app`, bound
// to `cluster`, which must outlive the parse. The journal flags are passed
// to the control plane as they are; `fastqueue` checks them.
void declare_cluster_flags(CLI::App& app, ClusterOptions& cluster);

// Fills in what the flags left empty: the `fastqueue` executable next to
// this tool and the build tree's modules directory (default_fastqueue_path(),
// default_modules_dir()).
void resolve_default_paths(ClusterOptions& cluster);

}  // namespace fastqueue::launch

// process_table.hpp -- what /proc says about the processes a role started,
// for the tests that check a role never leaks or leaves behind its task
// processes (executors): its children, and the executors that name it as
// their parent on their command line, wherever they were reparented to.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace fastqueue::e2e {

// The processes whose parent is `parent` (zombies included: an unreaped
// child is a leak too), from /proc/*/stat; empty once `parent` is gone.
std::vector<pid_t> child_pids(pid_t parent);

// Polls until `parent` has exactly `count` children; returns whether it did
// within timeout.
bool wait_for_child_count(pid_t parent, std::size_t count, std::chrono::milliseconds timeout);

// The live `fastqueue executor --parent-pid ROLE ...` processes started by
// the role with pid `role`, from /proc/*/cmdline, whoever their parent is now
// (zombies have no command line and are not listed).
std::vector<pid_t> executor_pids_of(pid_t role);

// "PID, PID, ..." for failure messages.
std::string describe_pids(const std::vector<pid_t>& pids);

}  // namespace fastqueue::e2e

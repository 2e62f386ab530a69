// executor_shared_state.hpp -- the page of memory a role shares with each of
// its executors (a memfd both map), for what must not wait for a message:
// a cancel the handler polls in a tight loop, and what an executor learned
// just before it died.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace fastqueue::executor {

// Runs a role may have sent to one executor at once are far fewer than this.
inline constexpr std::size_t kCancelFlags = 64;

struct SharedState {
    // Role -> executor: cancel_flag(run) holds `run` once the run's
    // cancellation was requested (fq_task_context::is_cancelled() reads it).
    std::atomic<std::uint64_t> cancelled_runs[kCancelFlags] = {};
    std::atomic<std::uint64_t>& cancel_flag(std::uint64_t run) {
        return cancelled_runs[run % kCancelFlags];
    }
    bool is_cancelled(std::uint64_t run) { return cancel_flag(run).load() == run; }
    // Role -> executor: skip_flag(run) holds `run` once the run was
    // cancelled before its role counted it started (while it waited behind
    // another task sent here): the executor does not run it. A run cancelled
    // after that runs, and its handler sees the cancel.
    std::atomic<std::uint64_t> skipped_runs[kCancelFlags] = {};
    std::atomic<std::uint64_t>& skip_flag(std::uint64_t run) {
        return skipped_runs[run % kCancelFlags];
    }
    bool is_skipped(std::uint64_t run) { return skip_flag(run).load() == run; }
    // Executor -> role: the run during which an allocation of operator new
    // failed (the executor's new_handler sets it); 0 = none.
    std::atomic<std::uint64_t> allocation_failed_run{0};
    // Executor -> role: the executor's address space in bytes when a fatal
    // signal reached it (its signal handler sets it); 0 = never.
    std::atomic<std::uint64_t> address_space_at_crash{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the shared state needs lock-free 64-bit atomics");

// The fd numbers an executor finds its channel and its shared state on.
inline constexpr int kChannelFd = 3;
inline constexpr int kSharedStateFd = 4;
inline constexpr std::size_t kSharedStateBytes = 4096;
static_assert(sizeof(SharedState) <= kSharedStateBytes);

}  // namespace fastqueue::executor

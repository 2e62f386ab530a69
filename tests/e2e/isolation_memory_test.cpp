// isolation_memory_test.cpp -- --task-memory-limit: a task that allocates
// past the address-space limit of its task process fails alone, with an
// error that says it ran out of memory, and the slot runs its next task in a
// new task process under the same limit.
#include <doctest/doctest.h>

#include <string>

#include "harness/control_plane_process.hpp"
#include "harness/process_table.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// AddressSanitizer and ThreadSanitizer reserve terabytes of address space
// for their shadow memory, so an address-space limit (RLIMIT_AS) cannot be
// applied to a task process of such a build.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kIsAddressSpaceLimitable = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kIsAddressSpaceLimitable = false;
#else
constexpr bool kIsAddressSpaceLimitable = true;
#endif
#else
constexpr bool kIsAddressSpaceLimitable = true;
#endif

// 512 MiB: well above a task process's own footprint, well below the 4 GiB
// crashy.alloc reaches.
constexpr const char* kMemoryLimitBytes = "536870912";

}  // namespace

TEST_CASE("isolation: a task past --task-memory-limit fails saying it ran out of memory") {
    ControlPlaneProcess control_plane(
        {"--concurrency", "1", "--task-memory-limit", kMemoryLimitBytes}, {}, {"fq_test_crashy"});
    if (!kIsAddressSpaceLimitable) {
        // The control plane takes the flag and serves (the fixture saw it
        // answer); its task processes cannot run under the limit here.
        CHECK(control_plane.process().is_running());
        MESSAGE(
            "built with a sanitizer that reserves terabytes of address space: the memory limit "
            "is checked by the normal build only");
        return;
    }
    Client client(control_plane.client_options(60s));

    const TaskRecord record = client.submit_and_wait("crashy.alloc", "{}");
    INFO("control plane stderr:\n" << control_plane.process().stderr_text());
    CHECK(record.state == TaskState::failure);
    CHECK(record.error == "task process ran out of memory (--task-memory-limit " +
                              std::string(kMemoryLimitBytes) + " bytes): signal 11 (SIGSEGV)");
    CHECK(record.retryable);
    CHECK(record.attempts == 1);

    const TaskRecord after = client.submit_and_wait("crashy.pid", "{}");
    INFO("error: " << after.error);
    CHECK(after.state == TaskState::success);
    CHECK_MESSAGE(wait_for_child_count(control_plane.process().pid(), 1, 10s),
                  "children: " << describe_pids(child_pids(control_plane.process().pid())));
}

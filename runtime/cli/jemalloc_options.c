/* jemalloc_options.c -- jemalloc's built-in options for the fastqueue
 * executable, linked only when it runs on jemalloc (cmake/Allocator.cmake).
 *
 * jemalloc reads this string at start-up; the MALLOC_CONF environment
 * variable, read after it, overrides any option here.
 *
 * By default jemalloc spreads threads over four arenas per core, and each
 * arena keeps the pages it freed for ten seconds before returning them. A
 * burst of short-lived messages on several threads (a flood of refused
 * submissions, say) then left the control plane's resident memory growing by
 * 10 to 15 MiB in two seconds: freed, but not given back or reused.
 *
 * narenas:1          -- one arena for every thread, so the threads reuse each
 *                       other's freed pages; each thread's own cache still
 *                       serves most allocations without the arena's lock.
 * dirty_decay_ms:1000 -- freed pages go back to the system within a second
 * muzzy_decay_ms:0       rather than ten. Returning them at once (0) cost a
 *                        third or more CPU per task at full load (3 runs,
 *                        medians 20.5 against 14.0 us). Half a second was
 *                        tried first, on a machine where the flood test
 *                        then compared peaks: under CPU contention its
 *                        memory peaked at 17-23 MiB against 12 in about half
 *                        the runs, so 100 ms was chosen. The test has since
 *                        compared the lowest samples, which a longer decay
 *                        leaves as they were (the peaks fall again: they are
 *                        pages kept, not lost; tests/e2e/flood_test.cpp).
 *                        100 ms was then too short on machines where giving
 *                        pages back and faulting them in again is dear
 *                        (about 11 us per page fault on the benchmark VM of
 *                        docs/benchmarks.md, plus a TLB shootdown for each
 *                        madvise): at 64 KiB per task, a tenth of the
 *                        control plane's samples were jemalloc's madvise,
 *                        and 1,000 ms used about 15 % less CPU per task
 *                        (interleaved runs); 32 B tasks did not change. */
const char* malloc_conf = "narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0";

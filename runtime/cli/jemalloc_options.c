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
 * dirty_decay_ms:100 -- freed pages go back to the system within a tenth of
 * muzzy_decay_ms:0      a second rather than ten. Returning them at once (0)
 *                       cost a third or more CPU per task at full load (3
 *                       runs, medians 20.5 against 14.0 us). Half a second
 *                       was tried first: under CPU contention the flood's
 *                       memory then peaked at 17-23 MiB against 12 in about
 *                       half the runs; with 100 ms the peaks stayed within
 *                       4.7 MiB of the start, and 100 ms cost nothing
 *                       measurable against 500 (control plane CPU per task,
 *                       4 interleaved pairs alone and 3 through a
 *                       subworker). The peaks fall again: they are pages
 *                       kept, not lost (tests/e2e/flood_test.cpp). */
const char* malloc_conf = "narenas:1,dirty_decay_ms:100,muzzy_decay_ms:0";

/*
 * fq_test_crashy -- test case "task code that takes down the process that
 * runs it": the end-to-end tests of process isolation load it to check that
 * each way a task process can die fails that task alone, with an error that
 * names how it died, and that its slot runs the next task in a new one.
 *
 * Tasks (every input is ignored):
 *   crashy.segv   never returns: writes through a NULL pointer (SIGSEGV).
 *   crashy.abort  never returns: calls abort() (SIGABRT).
 *   crashy.exit   never returns: calls _exit(3), skipping every exit handler.
 *   crashy.alloc  mallocs 64 MiB chunks and writes to every page of each,
 *                 up to 4 GiB in all; a malloc that returns NULL is written
 *                 through anyway, as a careless plugin would, so under an
 *                 address-space limit below 4 GiB it dies of SIGSEGV. With
 *                 room for all of it, it frees everything and returns the
 *                 MiB it allocated (4096).
 *   crashy.spin   a busy loop that never checks for cancellation; returns
 *                 the seconds it spun (60) after at most 60 s of wall clock,
 *                 so a process that is never killed still ends it.
 *   crashy.pid    returns the id of the process that runs it (getpid()), so
 *                 a test can tell task processes apart.
 *
 * Never load it into a process that must survive its tasks: with handlers
 * in the role's own process (--isolation thread), the first four take the
 * role down.
 */
#include <fastqueue/plugin.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define CRASHY_CHUNK_BYTES ((size_t)64 * 1024 * 1024)
#define CRASHY_MAX_CHUNKS 64 /* 4 GiB in all */
#define CRASHY_SPIN_SECONDS 60

/* The stores through NULL are the point of crashy.segv and crashy.alloc:
 * sanitizers' null checks must not turn them into reports of their own, so
 * the process dies of the signal as a plain build's would. */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#define CRASHY_NO_NULL_CHECK __attribute__((no_sanitize("null")))
#else
#define CRASHY_NO_NULL_CHECK
#endif

static const fq_host_api* g_host = NULL;

/* Returns a JSON number as the task's result. */
static int set_number_result(fq_task_context* ctx, long long value) {
    char text[32];
    const int length = snprintf(text, sizeof text, "%lld", value);
    return g_host->set_result(ctx, (const uint8_t*)text, (size_t)length);
}

CRASHY_NO_NULL_CHECK static int segv(fq_task_context* ctx, const uint8_t* input, size_t input_size,
                                     void* user_data) {
    (void)ctx;
    (void)input;
    (void)input_size;
    (void)user_data;
    /* volatile: the compiler must emit the store, not reason it away. */
    volatile int* volatile nowhere = NULL;
    *nowhere = 1;
    raise(SIGSEGV); /* not reached where NULL is unmapped */
    return FQ_ERROR;
}

static int abort_task(fq_task_context* ctx, const uint8_t* input, size_t input_size,
                      void* user_data) {
    (void)ctx;
    (void)input;
    (void)input_size;
    (void)user_data;
    abort();
}

static int exit_task(fq_task_context* ctx, const uint8_t* input, size_t input_size,
                     void* user_data) {
    (void)ctx;
    (void)input;
    (void)input_size;
    (void)user_data;
    _exit(3);
}

CRASHY_NO_NULL_CHECK static int alloc(fq_task_context* ctx, const uint8_t* input, size_t input_size,
                                      void* user_data) {
    (void)input;
    (void)input_size;
    (void)user_data;
    const long page_bytes = sysconf(_SC_PAGESIZE) > 0 ? sysconf(_SC_PAGESIZE) : 4096;
    volatile char* chunks[CRASHY_MAX_CHUNKS];
    int count = 0;
    for (; count < CRASHY_MAX_CHUNKS; ++count) {
        /* volatile: every page write is kept, so every page is really used. */
        volatile char* chunk = malloc(CRASHY_CHUNK_BYTES);
        for (size_t offset = 0; offset < CRASHY_CHUNK_BYTES; offset += (size_t)page_bytes) {
            chunk[offset] = 1; /* through NULL when malloc failed: SIGSEGV */
        }
        chunks[count] = chunk;
    }
    for (int i = 0; i < count; ++i) free((void*)chunks[i]);
    return set_number_result(ctx, (long long)(count * (CRASHY_CHUNK_BYTES / (1024 * 1024))));
}

static double monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int spin(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)input;
    (void)input_size;
    (void)user_data;
    const double started = monotonic_seconds();
    volatile unsigned long turns = 0;
    /* Bounded by the clock alone: is_cancelled is never asked. */
    while (monotonic_seconds() - started < CRASHY_SPIN_SECONDS) ++turns;
    return set_number_result(ctx, CRASHY_SPIN_SECONDS);
}

static int pid(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)input;
    (void)input_size;
    (void)user_data;
    return set_number_result(ctx, (long long)getpid());
}

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)error;
    (void)error_size;
    g_host = host;
    const fq_task_def defs[] = {
        {sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "crashy.segv", segv, NULL,
         "Writes through a NULL pointer (SIGSEGV).", 0},
        {sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "crashy.abort", abort_task, NULL,
         "Calls abort().", 0},
        {sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "crashy.exit", exit_task, NULL, "Calls _exit(3).",
         0},
        {sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "crashy.alloc", alloc, NULL,
         "Allocates and touches up to 4 GiB, writing through NULL when malloc fails.", 0},
        {sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "crashy.spin", spin, NULL,
         "Busy-loops for 60 s without checking cancellation.", 0},
        {sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "crashy.pid", pid, NULL,
         "Returns the id of the process that runs it.", 0},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; ++i) {
        const int status = host->register_task(registrar, &defs[i]);
        if (status != FQ_OK) return status;
    }
    return FQ_OK;
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                "fq_test_crashy",
                                                "1.0.0",
                                                init,
                                                NULL};

FQ_PLUGIN_ENTRY { return &descriptor; }

/*
 * fastqueue/plugin.h -- the FastQueue plugin ABI.
 *
 * This header is the whole contract between the FastQueue runtime and a task
 * plugin. Nothing outside it is public. It is C99 so that a plugin may be
 * written in C, or in C++ with any compiler, and keep loading across runtime
 * releases.
 *
 * Rules that never change:
 *   - Constants never change value and are never reused.
 *   - Structs are append-only. Every struct starts with its own size in bytes;
 *     new members go at the end under a comment "added in ABI 1.N". A reader
 *     copies min(struct_size, size it knows) bytes into a zeroed struct, so a
 *     member the other side does not have reads as zero / NULL.
 *   - FQ_PLUGIN_ABI_MAJOR changes only when an existing member changes meaning
 *     or layout. The runtime refuses a plugin whose major differs from its own,
 *     and a plugin whose minor is newer than its own (the plugin may call host
 *     functions the runtime does not have).
 *   - No C++ type, exception, allocator or STL object crosses this boundary.
 *     Memory is always freed by the side that allocated it: the host copies
 *     every string and buffer a plugin hands it before the call returns.
 *
 * Life of a plugin:
 *   1. The runtime loads the shared object and looks up exactly one symbol,
 *      FQ_PLUGIN_ENTRY_SYMBOL, and calls it. The entry returns a pointer to a
 *      descriptor with static storage duration (it must stay valid until the
 *      library is unloaded).
 *   2. The runtime checks struct_size and the ABI version, then calls
 *      descriptor->init once, from one thread, handing it the host function
 *      table and a registrar. init registers the plugin's tasks with
 *      host->register_task and returns FQ_OK, or writes a message into the
 *      host-owned error buffer and returns another status.
 *   3. Handlers run, possibly concurrently, on the runtime's handler threads.
 *   4. Before unloading, the runtime calls descriptor->shutdown (if not NULL)
 *      once, after every handler has returned.
 */
#ifndef FASTQUEUE_PLUGIN_H
#define FASTQUEUE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version this header describes. */
#define FQ_PLUGIN_ABI_MAJOR 1
#define FQ_PLUGIN_ABI_MINOR 1

/* The one symbol the runtime looks up in a plugin. */
#define FQ_PLUGIN_ENTRY_SYMBOL "fastqueue_plugin_entry"

#if defined(_WIN32)
#define FQ_PLUGIN_EXPORT __declspec(dllexport)
#else
#define FQ_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Status codes returned across the ABI. Values are fixed forever. */
typedef enum fq_status {
    FQ_OK = 0,
    FQ_ERROR = 1,                  /* generic failure; a message says more */
    FQ_ERROR_INVALID_ARGUMENT = 2, /* a NULL or malformed argument */
    FQ_ERROR_DUPLICATE = 3,        /* a task with this name is already registered */
    FQ_ERROR_STATE = 4,            /* call not allowed now (e.g. register after init) */
    /* added in ABI 1.1 */
    FQ_ERROR_RETRYABLE = 5 /* a handler's failure that another attempt may not meet
                              (a busy or unreachable resource): the runtime runs the
                              task again when it was submitted with retries left.
                              A runtime of ABI 1.0 treats it as any failure. */
} fq_status;

/* Log levels for host->log. Values are fixed forever. */
typedef enum fq_log_level {
    FQ_LOG_TRACE = 0,
    FQ_LOG_DEBUG = 1,
    FQ_LOG_INFO = 2,
    FQ_LOG_WARN = 3,
    FQ_LOG_ERROR = 4
} fq_log_level;

/* Opaque, host-owned state of one running task. Valid only during the handler
 * call it is passed to; a plugin must not keep it after the handler returns. */
typedef struct fq_task_context fq_task_context;

/* Opaque, host-owned registrar. Valid only during descriptor->init. */
typedef struct fq_registrar fq_registrar;

/*
 * A task handler.
 *   ctx        host-owned; valid until the handler returns.
 *   input      the task's payload bytes, host-owned, read-only, valid until the
 *              handler returns. By convention a JSON object
 *              {"args": [...], "kwargs": {...}}, but the runtime treats it as
 *              opaque. Not NUL-terminated.
 *   input_size number of bytes at input.
 *   user_data  the pointer given at registration, untouched by the host.
 * Returns FQ_OK when the task succeeded (its result is what was last passed to
 * host->set_result, or JSON null when nothing was), any other status when it
 * failed (its error is what was last passed to host->set_error, or a generic
 * message naming the status). FQ_ERROR_RETRYABLE (ABI 1.1) marks the failure
 * as worth another attempt; only such failures are retried. Called on a runtime handler thread;
 * several handlers of one plugin may run at once, so handlers must be thread-safe. A handler must
 * not throw or longjmp out.
 */
typedef int (*fq_task_handler)(fq_task_context* ctx, const uint8_t* input, size_t input_size,
                               void* user_data);

/* Task flags (fq_task_def.flags). No flag is defined in ABI 1.0; the runtime
 * refuses a registration that sets a bit it does not know. */
#define FQ_TASK_FLAGS_NONE 0u

/* One task, as registered by a plugin. The host copies name and description
 * during register_task; handler and user_data must stay valid until
 * descriptor->shutdown returns. */
typedef struct fq_task_def {
    uint32_t struct_size;    /* sizeof(fq_task_def) as the plugin compiled it */
    uint32_t flags;          /* FQ_TASK_FLAGS_* bits */
    const char* name;        /* 1..128 chars of [A-Za-z0-9_.:-]; unique in the process */
    fq_task_handler handler; /* not NULL */
    void* user_data;         /* passed back to handler; may be NULL */
    const char* description; /* one line; may be NULL */
    /* added in ABI 1.1 */
    uint32_t timeout_ms; /* the task's default run-time limit in milliseconds, used
                            when a submission sets none; 0 = no default of its own
                            (the control plane's --default-task-timeout applies) */
} fq_task_def;

/*
 * Functions the host offers the plugin. The table is host-owned and stays
 * valid until descriptor->shutdown returns. Every function may be called from
 * any handler thread. Strings and buffers passed in are copied before the call
 * returns; the plugin keeps ownership of them.
 */
typedef struct fq_host_api {
    uint32_t struct_size; /* sizeof(fq_host_api) as the host compiled it */
    uint16_t abi_major;   /* the host's FQ_PLUGIN_ABI_MAJOR */
    uint16_t abi_minor;   /* the host's FQ_PLUGIN_ABI_MINOR */

    /* Registers one task. Only during descriptor->init. Returns FQ_OK,
     * FQ_ERROR_INVALID_ARGUMENT (bad name, NULL handler, unknown flags) or
     * FQ_ERROR_DUPLICATE (the name is already registered by this plugin). */
    int (*register_task)(fq_registrar* registrar, const fq_task_def* def);

    /* Sets the task's result: size bytes at data (by convention JSON).
     * A later call replaces an earlier one. */
    int (*set_result)(fq_task_context* ctx, const uint8_t* data, size_t size);

    /* Sets the task's error message (NUL-terminated UTF-8). A later call
     * replaces an earlier one. The handler should then return non-FQ_OK. */
    int (*set_error)(fq_task_context* ctx, const char* message);

    /* Reports progress: fraction in [0, 1]; message may be NULL. */
    int (*report_progress)(fq_task_context* ctx, double fraction, const char* message);

    /* Returns 1 when the task has been asked to stop (cancel or shutdown),
     * 0 otherwise. Cheap; long handlers should poll it often and return
     * soon after it turns 1. */
    int (*is_cancelled)(const fq_task_context* ctx);

    /* Writes one line to the runtime's log. ctx may be NULL (for instance
     * from init); when given, the line names the task. */
    void (*log)(fq_task_context* ctx, int level, const char* message);
} fq_host_api;

/*
 * What a plugin reports about itself. Returned by the entry function; must
 * have static storage duration and never change after it is returned.
 */
typedef struct fq_plugin_descriptor {
    uint32_t struct_size; /* sizeof(fq_plugin_descriptor) as the plugin compiled it */
    uint16_t abi_major;   /* FQ_PLUGIN_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;   /* FQ_PLUGIN_ABI_MINOR the plugin was built with */
    const char* name;     /* the plugin's name, e.g. "mytasks"; not NULL */
    const char* version;  /* the plugin's own version, e.g. "1.2.0"; not NULL */

    /* Called once after the version check. Registers tasks with
     * host->register_task(registrar, ...). On failure writes a NUL-terminated
     * message of at most error_size bytes (including the NUL) into the
     * host-owned error buffer and returns a status other than FQ_OK; the
     * runtime then reports the message and unloads the plugin. */
    int (*init)(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size);

    /* Called once before unloading, after every handler has returned.
     * May be NULL. */
    void (*shutdown)(void);
} fq_plugin_descriptor;

/* The entry function every plugin exports under FQ_PLUGIN_ENTRY_SYMBOL. */
typedef const fq_plugin_descriptor* (*fq_plugin_entry_fn)(void);

/* Declares the entry function with the right name, linkage and visibility:
 *   FQ_PLUGIN_ENTRY { return &my_descriptor; }                              */
#ifdef __cplusplus
#define FQ_PLUGIN_ENTRY \
    extern "C" FQ_PLUGIN_EXPORT const fq_plugin_descriptor* fastqueue_plugin_entry(void)
#else
#define FQ_PLUGIN_ENTRY FQ_PLUGIN_EXPORT const fq_plugin_descriptor* fastqueue_plugin_entry(void)
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FASTQUEUE_PLUGIN_H */

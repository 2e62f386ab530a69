/*
 * abi_layout_test.c -- freezes the plugin ABI (plugin-sdk/include/fastqueue/plugin.h).
 *
 * Written in pure C99 and built with -std=c99 -pedantic -Werror, so it also
 * proves the header is valid C99. Every check is at compile time: an
 * accidental change to a struct's size or a member's offset, an enum value, a
 * constant or a function signature breaks the build. An intended change
 * (appending a member in ABI 1.N) updates this file in the same commit, with
 * the new member's offset, and the "ABI versions" table in docs/plugins.md.
 *
 * Sizes and offsets are pinned for LP64 (x86_64, aarch64), guarded by a
 * pointer-size check; on other data models only the order of members is checked.
 */
#include <fastqueue/plugin.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* C99 has no _Static_assert: use it where the compiler offers it (C11, or
 * C++ through abi_header_cxx_test.cpp), and otherwise a typedef of an array
 * whose size is negative when the condition is false. */
#if defined(__cplusplus)
#define ABI_ASSERT(condition, message) static_assert(condition, message)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define ABI_ASSERT(condition, message) _Static_assert(condition, message)
#else
#define ABI_CONCAT_(a, b) a##b
#define ABI_CONCAT(a, b) ABI_CONCAT_(a, b)
#define ABI_ASSERT(condition, message) \
    typedef char ABI_CONCAT(abi_assert_line_, __LINE__)[(condition) ? 1 : -1]
#endif

#define ABI_OFFSET(type, member, offset) \
    ABI_ASSERT(offsetof(type, member) == (offset), #type "." #member " moved")
#define ABI_ORDER(type, before, after) \
    ABI_ASSERT(offsetof(type, before) < offsetof(type, after), #type " members reordered")

/* ---- constants ------------------------------------------------------- */
ABI_ASSERT(FQ_PLUGIN_ABI_MAJOR == 1, "ABI major changed: every plugin stops loading");
ABI_ASSERT(FQ_PLUGIN_ABI_MINOR >= 0, "ABI minor only grows");
ABI_ASSERT(sizeof(FQ_PLUGIN_ENTRY_SYMBOL) == sizeof("fastqueue_plugin_entry"),
           "entry symbol renamed");
ABI_ASSERT(FQ_TASK_FLAGS_NONE == 0u, "FQ_TASK_FLAGS_NONE changed");

ABI_ASSERT(FQ_OK == 0, "FQ_OK changed");
ABI_ASSERT(FQ_ERROR == 1, "FQ_ERROR changed");
ABI_ASSERT(FQ_ERROR_INVALID_ARGUMENT == 2, "FQ_ERROR_INVALID_ARGUMENT changed");
ABI_ASSERT(FQ_ERROR_DUPLICATE == 3, "FQ_ERROR_DUPLICATE changed");
ABI_ASSERT(FQ_ERROR_STATE == 4, "FQ_ERROR_STATE changed");
ABI_ASSERT(FQ_ERROR_RETRYABLE == 5, "FQ_ERROR_RETRYABLE changed");

ABI_ASSERT(FQ_LOG_TRACE == 0, "FQ_LOG_TRACE changed");
ABI_ASSERT(FQ_LOG_DEBUG == 1, "FQ_LOG_DEBUG changed");
ABI_ASSERT(FQ_LOG_INFO == 2, "FQ_LOG_INFO changed");
ABI_ASSERT(FQ_LOG_WARN == 3, "FQ_LOG_WARN changed");
ABI_ASSERT(FQ_LOG_ERROR == 4, "FQ_LOG_ERROR changed");

/* ---- member order (every data model) ---------------------------------- */
ABI_ORDER(fq_task_def, struct_size, flags);
ABI_ORDER(fq_task_def, flags, name);
ABI_ORDER(fq_task_def, name, handler);
ABI_ORDER(fq_task_def, handler, user_data);
ABI_ORDER(fq_task_def, user_data, description);
ABI_ORDER(fq_task_def, description, timeout_ms);

ABI_ORDER(fq_host_api, struct_size, abi_major);
ABI_ORDER(fq_host_api, abi_major, abi_minor);
ABI_ORDER(fq_host_api, abi_minor, register_task);
ABI_ORDER(fq_host_api, register_task, set_result);
ABI_ORDER(fq_host_api, set_result, set_error);
ABI_ORDER(fq_host_api, set_error, report_progress);
ABI_ORDER(fq_host_api, report_progress, is_cancelled);
ABI_ORDER(fq_host_api, is_cancelled, log);

ABI_ORDER(fq_plugin_descriptor, struct_size, abi_major);
ABI_ORDER(fq_plugin_descriptor, abi_major, abi_minor);
ABI_ORDER(fq_plugin_descriptor, abi_minor, name);
ABI_ORDER(fq_plugin_descriptor, name, version);
ABI_ORDER(fq_plugin_descriptor, version, init);
ABI_ORDER(fq_plugin_descriptor, init, shutdown);

/* Every struct starts with its own size, a uint32_t at offset 0. */
ABI_OFFSET(fq_task_def, struct_size, 0);
ABI_OFFSET(fq_host_api, struct_size, 0);
ABI_OFFSET(fq_plugin_descriptor, struct_size, 0);
ABI_ASSERT(sizeof(((fq_task_def*)0)->struct_size) == 4, "struct_size is not 32-bit");
ABI_ASSERT(sizeof(((fq_host_api*)0)->abi_major) == 2, "abi_major is not 16-bit");
ABI_ASSERT(sizeof(((fq_plugin_descriptor*)0)->abi_minor) == 2, "abi_minor is not 16-bit");

/* ---- sizes and offsets, LP64 ----------------------------------------- */
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
ABI_ASSERT(sizeof(void*) == 8, "LP64 expected");

/* fq_task_def: ABI 1.0 members, then timeout_ms (ABI 1.1) */
ABI_ASSERT(sizeof(fq_task_def) == 48, "fq_task_def size changed");
ABI_OFFSET(fq_task_def, flags, 4);
ABI_OFFSET(fq_task_def, name, 8);
ABI_OFFSET(fq_task_def, handler, 16);
ABI_OFFSET(fq_task_def, user_data, 24);
ABI_OFFSET(fq_task_def, description, 32);
ABI_OFFSET(fq_task_def, timeout_ms, 40);

/* fq_host_api, ABI 1.0 */
ABI_ASSERT(sizeof(fq_host_api) == 56, "fq_host_api size changed");
ABI_OFFSET(fq_host_api, abi_major, 4);
ABI_OFFSET(fq_host_api, abi_minor, 6);
ABI_OFFSET(fq_host_api, register_task, 8);
ABI_OFFSET(fq_host_api, set_result, 16);
ABI_OFFSET(fq_host_api, set_error, 24);
ABI_OFFSET(fq_host_api, report_progress, 32);
ABI_OFFSET(fq_host_api, is_cancelled, 40);
ABI_OFFSET(fq_host_api, log, 48);

/* fq_plugin_descriptor, ABI 1.0 */
ABI_ASSERT(sizeof(fq_plugin_descriptor) == 40, "fq_plugin_descriptor size changed");
ABI_OFFSET(fq_plugin_descriptor, abi_major, 4);
ABI_OFFSET(fq_plugin_descriptor, abi_minor, 6);
ABI_OFFSET(fq_plugin_descriptor, name, 8);
ABI_OFFSET(fq_plugin_descriptor, version, 16);
ABI_OFFSET(fq_plugin_descriptor, init, 24);
ABI_OFFSET(fq_plugin_descriptor, shutdown, 32);
#endif

/* ---- function signatures ----------------------------------------------
 * Functions with the frozen signatures, stored into the ABI's pointer
 * members: a changed signature is an incompatible-pointer error under -Werror
 * (and a hard error in C++). */
static int frozen_handler(fq_task_context* ctx, const uint8_t* input, size_t input_size,
                          void* user_data) {
    (void)ctx;
    (void)input;
    (void)input_size;
    (void)user_data;
    return FQ_OK;
}
static int frozen_register_task(fq_registrar* registrar, const fq_task_def* def) {
    (void)registrar;
    (void)def;
    return FQ_OK;
}
static int frozen_set_result(fq_task_context* ctx, const uint8_t* data, size_t size) {
    (void)ctx;
    (void)data;
    (void)size;
    return FQ_OK;
}
static int frozen_set_error(fq_task_context* ctx, const char* message) {
    (void)ctx;
    (void)message;
    return FQ_OK;
}
static int frozen_report_progress(fq_task_context* ctx, double fraction, const char* message) {
    (void)ctx;
    (void)fraction;
    (void)message;
    return FQ_OK;
}
static int frozen_is_cancelled(const fq_task_context* ctx) {
    (void)ctx;
    return 0;
}
static void frozen_log(fq_task_context* ctx, int level, const char* message) {
    (void)ctx;
    (void)level;
    (void)message;
}
static int frozen_init(const fq_host_api* host, fq_registrar* registrar, char* error,
                       size_t error_size) {
    (void)host;
    (void)registrar;
    (void)error;
    (void)error_size;
    return FQ_OK;
}
static void frozen_shutdown(void) {}

static const fq_plugin_descriptor frozen_descriptor = {sizeof(fq_plugin_descriptor),
                                                       FQ_PLUGIN_ABI_MAJOR,
                                                       FQ_PLUGIN_ABI_MINOR,
                                                       "abi",
                                                       "1.0.0",
                                                       frozen_init,
                                                       frozen_shutdown};

/* The entry macro must declare a function of type fq_plugin_entry_fn. */
FQ_PLUGIN_ENTRY { return &frozen_descriptor; }

int main(void) {
    fq_host_api host;
    fq_task_def def;
    fq_plugin_entry_fn entry = fastqueue_plugin_entry;

    memset(&host, 0, sizeof host);
    host.register_task = frozen_register_task;
    host.set_result = frozen_set_result;
    host.set_error = frozen_set_error;
    host.report_progress = frozen_report_progress;
    host.is_cancelled = frozen_is_cancelled;
    host.log = frozen_log;

    memset(&def, 0, sizeof def);
    def.handler = frozen_handler;

    if (strcmp(FQ_PLUGIN_ENTRY_SYMBOL, "fastqueue_plugin_entry") != 0 || entry() == NULL ||
        entry()->init(&host, NULL, NULL, 0) != FQ_OK || def.handler(NULL, NULL, 0, NULL) != FQ_OK) {
        fprintf(stderr, "plugin ABI check failed\n");
        return 1;
    }
    printf("plugin ABI %d.%d: layouts as frozen\n", FQ_PLUGIN_ABI_MAJOR, FQ_PLUGIN_ABI_MINOR);
    return 0;
}

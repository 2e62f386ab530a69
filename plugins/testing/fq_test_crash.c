/*
 * fq_test_crash -- test case "a task whose handler kills its worker every
 * time": the end-to-end tests load it into subworkers to check that a task
 * that crashes every worker it is sent to ends as failure "worker lost"
 * after the control plane's --max-worker-losses, instead of looping forever.
 *
 * Tasks:
 *   crash  input: ignored  never returns: calls abort(), which ends the whole
 *          process that runs it (no result, no error, no clean shutdown).
 *
 * Never load it into a process that must survive its tasks.
 */
#include <fastqueue/plugin.h>
#include <stdlib.h>

static int crash(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)ctx;
    (void)input;
    (void)input_size;
    (void)user_data;
    abort();
}

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)error;
    (void)error_size;
    fq_task_def crash_def = {sizeof(fq_task_def),
                             FQ_TASK_FLAGS_NONE,
                             "crash",
                             crash,
                             NULL,
                             "Aborts the process that runs it.",
                             0};
    return host->register_task(registrar, &crash_def);
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                "fq_test_crash",
                                                "1.0.0",
                                                init,
                                                NULL};

FQ_PLUGIN_ENTRY { return &descriptor; }

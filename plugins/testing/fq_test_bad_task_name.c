/*
 * fq_test_bad_task_name -- test case "invalid task name": init registers a
 * task named "bad name!" (a space and '!' are not allowed), ignores the
 * refusal and returns FQ_OK. The runtime must still refuse the plugin, naming
 * the task and the rule, and shut it down (shutdown logs
 * "fq_test_bad_task_name: shutdown").
 */
#include <fastqueue/plugin.h>

static const fq_host_api* g_host = NULL;

static int handler(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)ctx;
    (void)input;
    (void)input_size;
    (void)user_data;
    return FQ_OK;
}

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)error;
    (void)error_size;
    g_host = host;
    fq_task_def def = {
        sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "bad name!", handler, NULL, NULL, 0};
    host->register_task(registrar, &def);
    return FQ_OK;
}

static void shutdown(void) {
    if (g_host != NULL) g_host->log(NULL, FQ_LOG_INFO, "fq_test_bad_task_name: shutdown");
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                "fq_test_bad_task_name",
                                                "1.0.0",
                                                init,
                                                shutdown};

FQ_PLUGIN_ENTRY { return &descriptor; }

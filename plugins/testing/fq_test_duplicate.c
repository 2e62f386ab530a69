/*
 * fq_test_duplicate_a / fq_test_duplicate_b -- test case "two plugins register
 * the same task name". This one source is built twice, with
 * FQ_TEST_PLUGIN_NAME set to each plugin's name; both register "dup_task".
 * Loading both must fail naming the task and both plugins, and the second
 * plugin, whose init succeeded, must be shut down (shutdown logs
 * "<plugin name>: shutdown").
 */
#include <fastqueue/plugin.h>

#ifndef FQ_TEST_PLUGIN_NAME
#error "FQ_TEST_PLUGIN_NAME must name the plugin"
#endif

static const fq_host_api* g_host = NULL;

static int handler(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)input;
    (void)input_size;
    (void)user_data;
    return g_host->set_result(ctx, (const uint8_t*)"\"" FQ_TEST_PLUGIN_NAME "\"",
                              sizeof(FQ_TEST_PLUGIN_NAME) + 1);
}

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)error;
    (void)error_size;
    g_host = host;
    fq_task_def def = {sizeof(fq_task_def),
                       FQ_TASK_FLAGS_NONE,
                       "dup_task",
                       handler,
                       NULL,
                       "Returns the name of the plugin that ran it.",
                       0};
    return host->register_task(registrar, &def);
}

static void shutdown(void) {
    if (g_host != NULL) g_host->log(NULL, FQ_LOG_INFO, FQ_TEST_PLUGIN_NAME ": shutdown");
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                FQ_TEST_PLUGIN_NAME,
                                                "1.0.0",
                                                init,
                                                shutdown};

FQ_PLUGIN_ENTRY { return &descriptor; }

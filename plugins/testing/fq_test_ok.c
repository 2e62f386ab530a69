/*
 * fq_test_ok -- test case "a valid plugin": the positive control for the
 * loader tests and a known-good plugin for the execution tests.
 *
 * Tasks:
 *   test_ok_echo  input: any bytes     result: the same bytes, unchanged
 *   test_ok_fail  input: ignored       error: "test_ok_fail always fails"
 *
 * init and shutdown each write a log line through the host ("fq_test_ok:
 * init", "fq_test_ok: shutdown") so that tests can see both were called.
 */
#include <fastqueue/plugin.h>

static const fq_host_api* g_host = NULL;

static int echo(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)user_data;
    return g_host->set_result(ctx, input, input_size);
}

static int fail(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)input;
    (void)input_size;
    (void)user_data;
    g_host->set_error(ctx, "test_ok_fail always fails");
    return FQ_ERROR;
}

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)error;
    (void)error_size;
    g_host = host;
    host->log(NULL, FQ_LOG_INFO, "fq_test_ok: init");

    fq_task_def echo_def = {sizeof(fq_task_def),
                            FQ_TASK_FLAGS_NONE,
                            "test_ok_echo",
                            echo,
                            NULL,
                            "Returns its input unchanged.",
                            0};
    fq_task_def fail_def = {
        sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "test_ok_fail", fail, NULL, "Always fails.", 0};
    int status = host->register_task(registrar, &echo_def);
    if (status != FQ_OK) return status;
    return host->register_task(registrar, &fail_def);
}

static void shutdown(void) {
    if (g_host != NULL) g_host->log(NULL, FQ_LOG_INFO, "fq_test_ok: shutdown");
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                "fq_test_ok",
                                                "1.0.0",
                                                init,
                                                shutdown};

FQ_PLUGIN_ENTRY { return &descriptor; }

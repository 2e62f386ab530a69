/*
 * fq_test_big_result -- a task whose result is larger than its input, for
 * the tests of the result size limit (--max-payload-bytes).
 *
 * Tasks:
 *   test_big_result  input: a decimal byte count N (0..1073741824, digits
 *                    only)   result: N bytes of 'x'
 */
#include <fastqueue/plugin.h>
#include <stdlib.h>
#include <string.h>

static const fq_host_api* g_host = NULL;

static int big_result(fq_task_context* ctx, const uint8_t* input, size_t input_size,
                      void* user_data) {
    (void)user_data;
    size_t count = 0;
    if (input_size == 0 || input_size > 10) {
        g_host->set_error(ctx, "input must be a decimal byte count");
        return FQ_ERROR;
    }
    for (size_t i = 0; i < input_size; ++i) {
        if (input[i] < '0' || input[i] > '9') {
            g_host->set_error(ctx, "input must be a decimal byte count");
            return FQ_ERROR;
        }
        count = count * 10 + (size_t)(input[i] - '0');
    }
    if (count > ((size_t)1 << 30)) {
        g_host->set_error(ctx, "byte count is larger than 1 GiB");
        return FQ_ERROR;
    }
    uint8_t* bytes = malloc(count > 0 ? count : 1);
    if (bytes == NULL) {
        g_host->set_error(ctx, "out of memory");
        return FQ_ERROR;
    }
    memset(bytes, 'x', count);
    int status = g_host->set_result(ctx, bytes, count);
    free(bytes);
    return status;
}

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)error;
    (void)error_size;
    g_host = host;
    fq_task_def def = {sizeof(fq_task_def),
                       FQ_TASK_FLAGS_NONE,
                       "test_big_result",
                       big_result,
                       NULL,
                       "Returns as many bytes as its input asks for.",
                       0};
    return host->register_task(registrar, &def);
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                "fq_test_big_result",
                                                "1.0.0",
                                                init,
                                                NULL};

FQ_PLUGIN_ENTRY { return &descriptor; }

/*
 * fq_test_unresolved -- test case "unresolved symbol": a complete plugin whose
 * handler calls a function no library defines. The runtime loads plugins with
 * RTLD_NOW, so it must refuse the file at load time, with the system loader's
 * message naming the symbol, instead of crashing when the task first runs.
 */
#include <fastqueue/plugin.h>

/* Defined nowhere, on purpose. */
extern int fq_test_symbol_defined_nowhere(void);

static int handler(fq_task_context* ctx, const uint8_t* input, size_t input_size, void* user_data) {
    (void)ctx;
    (void)input;
    (void)input_size;
    (void)user_data;
    return fq_test_symbol_defined_nowhere();
}

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)error;
    (void)error_size;
    fq_task_def def = {
        sizeof(fq_task_def), FQ_TASK_FLAGS_NONE, "unresolved", handler, NULL, NULL, 0};
    return host->register_task(registrar, &def);
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                "fq_test_unresolved",
                                                "1.0.0",
                                                init,
                                                NULL};

FQ_PLUGIN_ENTRY { return &descriptor; }

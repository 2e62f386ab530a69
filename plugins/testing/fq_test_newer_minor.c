/*
 * fq_test_newer_minor -- test case "ABI minor newer than the runtime's": the
 * descriptor claims ABI 1.99. Such a plugin may call host functions this
 * runtime lacks, so the runtime must refuse it naming both versions.
 */
#include <fastqueue/plugin.h>

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)host;
    (void)registrar;
    (void)error;
    (void)error_size;
    return FQ_OK;
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                99,
                                                "fq_test_newer_minor",
                                                "1.0.0",
                                                init,
                                                NULL};

FQ_PLUGIN_ENTRY { return &descriptor; }

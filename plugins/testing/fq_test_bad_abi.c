/*
 * fq_test_bad_abi -- test case "wrong ABI major": the descriptor claims ABI
 * 2.0, so the runtime (ABI 1.x) must refuse it naming both versions, without
 * calling init.
 */
#include <fastqueue/plugin.h>

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)host;
    (void)registrar;
    (void)error;
    (void)error_size;
    return FQ_OK;
}

static const fq_plugin_descriptor descriptor = {
    sizeof(fq_plugin_descriptor), 2, 0, "fq_test_bad_abi", "1.0.0", init, NULL};

FQ_PLUGIN_ENTRY { return &descriptor; }

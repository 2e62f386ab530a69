/*
 * fq_test_init_fails -- test case "init fails with a message": init writes
 * "database unreachable" into the host's error buffer and returns FQ_ERROR.
 * The runtime must report that message and must not call shutdown (which
 * would log "fq_test_init_fails: shutdown").
 */
#include <fastqueue/plugin.h>
#include <stdio.h>

static const fq_host_api* g_host = NULL;

static int init(const fq_host_api* host, fq_registrar* registrar, char* error, size_t error_size) {
    (void)registrar;
    g_host = host;
    snprintf(error, error_size, "%s", "database unreachable");
    return FQ_ERROR;
}

static void shutdown(void) {
    if (g_host != NULL) g_host->log(NULL, FQ_LOG_ERROR, "fq_test_init_fails: shutdown");
}

static const fq_plugin_descriptor descriptor = {sizeof(fq_plugin_descriptor),
                                                FQ_PLUGIN_ABI_MAJOR,
                                                FQ_PLUGIN_ABI_MINOR,
                                                "fq_test_init_fails",
                                                "1.0.0",
                                                init,
                                                shutdown};

FQ_PLUGIN_ENTRY { return &descriptor; }

/*
 * fq_test_short_descriptor -- test case "descriptor smaller than ABI 1.0":
 * the ABI version matches but struct_size claims only the version fields, so
 * the runtime cannot trust name, version or init and must refuse the plugin.
 */
#include <fastqueue/plugin.h>

static const fq_plugin_descriptor descriptor = {
    8, FQ_PLUGIN_ABI_MAJOR, FQ_PLUGIN_ABI_MINOR, "fq_test_short_descriptor", "1.0.0", NULL, NULL};

FQ_PLUGIN_ENTRY { return &descriptor; }

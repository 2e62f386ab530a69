/*
 * fq_test_entry_null -- test case "entry returns NULL": the entry symbol
 * exists but reports no descriptor. The runtime must refuse the file as not a
 * FastQueue plugin.
 */
#include <fastqueue/plugin.h>

FQ_PLUGIN_ENTRY { return NULL; }

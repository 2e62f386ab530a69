/*
 * fq_test_no_entry -- test case "missing entry symbol": a valid shared object
 * that exports a function, but not fastqueue_plugin_entry. The runtime must
 * refuse it as not a FastQueue plugin.
 */
#include <fastqueue/plugin.h>

FQ_PLUGIN_EXPORT int fq_test_no_entry_answer(void) { return 42; }

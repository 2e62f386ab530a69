// fq_test_throws -- test case "a handler that throws": a C++ plugin written
// against the raw C ABI (not the C++ wrapper) whose handler throws
// std::runtime_error("boom from handler"). plugin.h forbids this, so the
// execution engine must catch it, fail the task with the message and go on.
//
// Tasks:
//   throws  input: ignored  never returns; throws "boom from handler"
#include <fastqueue/plugin.h>

#include <stdexcept>

namespace {

int throwing_handler(fq_task_context*, const uint8_t*, size_t, void*) {
    throw std::runtime_error("boom from handler");
}

int init(const fq_host_api* host, fq_registrar* registrar, char*, size_t) {
    fq_task_def def{};
    def.struct_size = sizeof(fq_task_def);
    def.flags = FQ_TASK_FLAGS_NONE;
    def.name = "throws";
    def.handler = throwing_handler;
    def.description = "Throws std::runtime_error(\"boom from handler\").";
    return host->register_task(registrar, &def);
}

const fq_plugin_descriptor descriptor{sizeof(fq_plugin_descriptor),
                                      FQ_PLUGIN_ABI_MAJOR,
                                      FQ_PLUGIN_ABI_MINOR,
                                      "fq_test_throws",
                                      "1.0.0",
                                      init,
                                      nullptr};

}  // namespace

FQ_PLUGIN_ENTRY { return &descriptor; }

// fake_host.hpp -- a minimal host side of the plugin ABI for unit tests: a
// fq_host_api whose functions record what a plugin registers and what its
// handlers report, so that tests can drive plugins without the runtime.
//
// The opaque fq_task_context and fq_registrar pointers handed to plugins are
// FakeTask and FakeHost objects cast to those types; this file never defines
// the ABI's structs, so it cannot clash with the runtime's definitions.
#pragma once

#include <fastqueue/plugin.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fastqueue::testing {

// What one handler call reported.
struct FakeTask {
    bool is_cancelled = false;
    int status = -1;
    bool has_result = false;
    std::string result;
    bool has_error = false;
    std::string error;
    std::vector<double> progress;
    std::vector<std::string> log_lines;
};

struct RegisteredTask {
    std::string description;
    bool has_description = false;
    fq_task_handler handler = nullptr;
    void* user_data = nullptr;
    std::uint32_t timeout_ms = 0;  // fq_task_def.timeout_ms (ABI 1.1)
};

class FakeHost {
public:
    FakeHost() {
        api_.struct_size = sizeof(fq_host_api);
        api_.abi_major = FQ_PLUGIN_ABI_MAJOR;
        api_.abi_minor = FQ_PLUGIN_ABI_MINOR;
        api_.register_task = &register_task;
        api_.set_result = &set_result;
        api_.set_error = &set_error;
        api_.report_progress = &report_progress;
        api_.is_cancelled = &is_cancelled;
        api_.log = &log;
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    fq_host_api& api() { return api_; }
    fq_registrar* registrar() { return reinterpret_cast<fq_registrar*>(this); }
    const std::map<std::string, RegisteredTask>& tasks() const { return tasks_; }

    // Runs the registered task `name` on input; returns what it reported.
    FakeTask run(const std::string& name, const std::string& input, bool is_cancelled = false) {
        FakeTask task;
        task.is_cancelled = is_cancelled;
        const RegisteredTask& registered = tasks_.at(name);
        task.status = registered.handler(reinterpret_cast<fq_task_context*>(&task),
                                         reinterpret_cast<const std::uint8_t*>(input.data()),
                                         input.size(), registered.user_data);
        return task;
    }

private:
    static FakeTask& task_of(fq_task_context* context) {
        return *reinterpret_cast<FakeTask*>(context);
    }
    static int register_task(fq_registrar* registrar, const fq_task_def* def) {
        auto& host = *reinterpret_cast<FakeHost*>(registrar);
        if (def->handler == nullptr || def->name == nullptr) return FQ_ERROR_INVALID_ARGUMENT;
        if (host.tasks_.count(def->name) != 0) return FQ_ERROR_DUPLICATE;
        RegisteredTask& task = host.tasks_[def->name];
        task.has_description = def->description != nullptr;
        task.description = task.has_description ? def->description : "";
        task.handler = def->handler;
        task.user_data = def->user_data;
        task.timeout_ms = def->timeout_ms;
        return FQ_OK;
    }
    static int set_result(fq_task_context* context, const std::uint8_t* data, std::size_t size) {
        task_of(context).result.assign(reinterpret_cast<const char*>(data), size);
        task_of(context).has_result = true;
        return FQ_OK;
    }
    static int set_error(fq_task_context* context, const char* message) {
        task_of(context).error = message;
        task_of(context).has_error = true;
        return FQ_OK;
    }
    static int report_progress(fq_task_context* context, double fraction, const char*) {
        task_of(context).progress.push_back(fraction);
        return FQ_OK;
    }
    static int is_cancelled(const fq_task_context* context) {
        return reinterpret_cast<const FakeTask*>(context)->is_cancelled ? 1 : 0;
    }
    static void log(fq_task_context* context, int, const char* message) {
        if (context != nullptr) task_of(context).log_lines.push_back(message);
    }

    fq_host_api api_{};
    std::map<std::string, RegisteredTask> tasks_;
};

}  // namespace fastqueue::testing

// host_api.cpp -- the fq_host_api table handed to every plugin: the C entry
// points through which plugins register tasks, answer for a running task and
// write to the runtime's log.
//
// Each function is a C boundary: it validates its arguments (a NULL context or
// pointer, a progress fraction outside [0, 1] or NaN is FQ_ERROR_INVALID_ARGUMENT),
// never lets an exception escape (anything thrown becomes FQ_ERROR), and
// copies what it is given before returning, as plugin.h promises.
#include "plugins/host_api.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <exception>

#include "plugins/plugin_set.hpp"
#include "plugins/registrar.hpp"
#include "plugins/task_context.hpp"

namespace fastqueue {

namespace {

// The plugin whose init or shutdown is running on this thread, if any.
thread_local const std::string* current_plugin_name = nullptr;

int host_register_task(fq_registrar* registrar, const fq_task_def* def) noexcept {
    if (registrar == nullptr) return FQ_ERROR_INVALID_ARGUMENT;
    try {
        const int status = registrar->register_task(def);
        if (status == FQ_ERROR_STATE) {
            spdlog::warn("plugin '{}' called register_task after its init returned; refused",
                         registrar->plugin_name());
        }
        return status;
    } catch (...) {
        return FQ_ERROR;
    }
}

int host_set_result(fq_task_context* ctx, const std::uint8_t* data, std::size_t size) noexcept {
    // An empty result may come without a buffer; a non-empty one may not.
    if (ctx == nullptr || (data == nullptr && size != 0)) return FQ_ERROR_INVALID_ARGUMENT;
    try {
        static const std::uint8_t kNoBytes = 0;
        ctx->set_result(data != nullptr ? data : &kNoBytes, size);
        return FQ_OK;
    } catch (...) {
        return FQ_ERROR;
    }
}

int host_set_error(fq_task_context* ctx, const char* message) noexcept {
    if (ctx == nullptr || message == nullptr) return FQ_ERROR_INVALID_ARGUMENT;
    try {
        ctx->set_error(message);
        return FQ_OK;
    } catch (...) {
        return FQ_ERROR;
    }
}

int host_report_progress(fq_task_context* ctx, double fraction, const char* message) noexcept {
    // The negated comparison also refuses NaN.
    if (ctx == nullptr || !(fraction >= 0.0 && fraction <= 1.0)) return FQ_ERROR_INVALID_ARGUMENT;
    try {
        ctx->report_progress(fraction, message);
        return FQ_OK;
    } catch (...) {
        return FQ_ERROR;
    }
}

// plugin.h promises 1 or 0. A NULL context is a plugin bug; it answers
// FQ_ERROR_INVALID_ARGUMENT, which is non-zero, so that a handler polling
// `while (!host->is_cancelled(ctx))` stops rather than running forever.
int host_is_cancelled(const fq_task_context* ctx) noexcept {
    if (ctx == nullptr) return FQ_ERROR_INVALID_ARGUMENT;
    return ctx->is_cancelled() ? 1 : 0;
}

spdlog::level::level_enum to_spdlog_level(int level) {
    // Out-of-range levels are clamped rather than dropped: a plugin's line is
    // never lost because of a bad level.
    if (level <= FQ_LOG_TRACE) return spdlog::level::trace;
    switch (level) {
        case FQ_LOG_DEBUG:
            return spdlog::level::debug;
        case FQ_LOG_INFO:
            return spdlog::level::info;
        case FQ_LOG_WARN:
            return spdlog::level::warn;
        default:
            return spdlog::level::err;
    }
}

void host_log(fq_task_context* ctx, int level, const char* message) noexcept {
    if (message == nullptr) return;
    try {
        const auto spdlog_level = to_spdlog_level(level);
        if (ctx != nullptr) {
            spdlog::log(spdlog_level, "[task {} {}] {}", ctx->task_name(), ctx->task_id(), message);
        } else if (current_plugin_name != nullptr) {
            spdlog::log(spdlog_level, "[plugin {}] {}", *current_plugin_name, message);
        } else {
            spdlog::log(spdlog_level, "[plugin] {}", message);
        }
    } catch (...) {
        // Logging must never take a task down; the line is lost.
    }
}

}  // namespace

PluginLogScope::PluginLogScope(const std::string& plugin_name) : previous_(current_plugin_name) {
    current_plugin_name = &plugin_name;
}

PluginLogScope::~PluginLogScope() { current_plugin_name = previous_; }

const fq_host_api& host_api() {
    static const fq_host_api table = [] {
        fq_host_api api{};
        api.struct_size = sizeof(fq_host_api);
        api.abi_major = FQ_PLUGIN_ABI_MAJOR;
        api.abi_minor = FQ_PLUGIN_ABI_MINOR;
        api.register_task = &host_register_task;
        api.set_result = &host_set_result;
        api.set_error = &host_set_error;
        api.report_progress = &host_report_progress;
        api.is_cancelled = &host_is_cancelled;
        api.log = &host_log;
        return api;
    }();
    return table;
}

}  // namespace fastqueue

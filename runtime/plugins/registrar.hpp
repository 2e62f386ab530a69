// registrar.hpp -- the host side of the opaque fq_registrar of the plugin ABI.
//
// The loader creates one registrar per plugin and hands it to the plugin's
// init. It validates and collects the tasks the plugin registers through
// host->register_task; the loader moves them into the TaskRegistry only after
// init succeeded and every name proved free. Once init has returned the loader
// closes the registrar, and later calls are refused with FQ_ERROR_STATE (the
// registrar lives as long as the plugin is loaded, so a plugin that kept the
// pointer gets a status instead of a dangling object).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "fastqueue/plugin.h"
#include "plugins/task_registry.hpp"

namespace fastqueue {

// Sizes of the ABI 1.0 structs: the end of their last 1.0 member. A plugin
// that reports a smaller struct_size was not built against any 1.x header.
// Written as offsets, not sizeof, so they stay right when members are appended.
inline constexpr std::size_t kTaskDefSizeAbi1_0 =
    offsetof(fq_task_def, description) + sizeof(const char*);
inline constexpr std::size_t kDescriptorSizeAbi1_0 =
    offsetof(fq_plugin_descriptor, shutdown) + sizeof(void (*)(void));

// Task flag bits this runtime understands; a registration setting any other
// bit is refused.
inline constexpr std::uint32_t kKnownTaskFlags = FQ_TASK_FLAGS_NONE;

// Longest task name the ABI allows.
inline constexpr std::size_t kMaxTaskNameLength = 128;

// Returns an empty string when name is a valid task name (1..128 characters of
// [A-Za-z0-9_.:-]), otherwise the reason it is not.
std::string task_name_problem(const char* name);

}  // namespace fastqueue

struct fq_registrar {
public:
    fq_registrar(std::string plugin_name, std::string plugin_path)
        : plugin_name_(std::move(plugin_name)), plugin_path_(std::move(plugin_path)) {}
    fq_registrar(const fq_registrar&) = delete;
    fq_registrar& operator=(const fq_registrar&) = delete;

    // Validates def and records the task. Returns an fq_status:
    // FQ_ERROR_STATE once closed, FQ_ERROR_INVALID_ARGUMENT for a malformed
    // definition, FQ_ERROR_DUPLICATE for a name this plugin registered
    // already. Every refusal except FQ_ERROR_STATE is also remembered (the
    // first one wins), so that the loader fails the plugin even when its init
    // ignores the status. May throw std::bad_alloc; the C entry point catches.
    int register_task(const fq_task_def* def);

    // Stops accepting registrations; called by the loader when init returns.
    void close() { is_open_.store(false); }
    bool is_open() const { return is_open_.load(); }

    const std::string& plugin_name() const { return plugin_name_; }
    const std::string& plugin_path() const { return plugin_path_; }

    // The first refused registration as one phrase, e.g.
    // "cannot register task 'bad name!': name must be ...", or empty.
    std::string first_error() const;
    // The accepted tasks, in registration order. Call after close().
    std::vector<fastqueue::RegisteredTask> take_tasks();

private:
    int refuse(int status, std::string subject, std::string reason);

    const std::string plugin_name_;
    const std::string plugin_path_;
    std::atomic<bool> is_open_{true};
    mutable std::mutex mutex_;
    std::vector<fastqueue::RegisteredTask> tasks_;  // guarded by mutex_
    std::string first_error_;                       // guarded by mutex_
};

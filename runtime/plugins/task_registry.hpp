// task_registry.hpp -- every task the loaded plugins registered, by name.
//
// Filled while plugins load (one thread), then read-only and safe to read from
// any thread for as long as the PluginSet that owns it lives.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fastqueue/plugin.h"

namespace fastqueue {

struct RegisteredTask {
    std::string name;
    std::string description;
    std::string plugin_name;  // the descriptor's name
    std::string plugin_path;  // the file it was loaded from
    fq_task_handler handler = nullptr;
    void* user_data = nullptr;
    std::uint32_t flags = 0;
    // The plugin's default run-time limit for this task (ABI 1.1
    // fq_task_def.timeout_ms); 0 = none of its own.
    std::uint32_t default_timeout_ms = 0;
};

struct LoadedPluginInfo {
    std::string name;
    std::string version;
    std::string path;
    std::uint16_t abi_major = 0;
    std::uint16_t abi_minor = 0;
    std::vector<std::string> task_names;  // in registration order
};

class TaskRegistry {
public:
    // Adds a task. Returns false, and changes nothing, when the name is taken.
    bool add(RegisteredTask task);
    // Records a loaded plugin (for `fastqueue list` and the logs).
    void add_plugin(LoadedPluginInfo plugin);

    // nullptr when no plugin registered that name.
    const RegisteredTask* find(std::string_view name) const;
    // Every task, ordered by name.
    std::vector<const RegisteredTask*> tasks() const;
    // Names of every task, ordered.
    std::vector<std::string> task_names() const;
    // Every loaded plugin, in load order.
    const std::vector<LoadedPluginInfo>& plugins() const { return plugins_; }

private:
    std::map<std::string, RegisteredTask, std::less<>> tasks_;
    std::vector<LoadedPluginInfo> plugins_;
};

}  // namespace fastqueue

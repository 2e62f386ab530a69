// plugin_set.hpp -- resolves plugin names to files, loads them with
// Boost.DLL, checks their ABI, runs their init and owns them until shutdown.
//
// Every failure is a PluginLoadError whose what() is one line naming the file
// and the reason: not found (listing every place searched), not a FastQueue
// plugin, ABI mismatch (both versions), init failed (with the plugin's
// message), task name already registered (with both plugins). A role loads its
// plugins before it binds any port, so such an error stops the process
// before it serves anything.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugins/task_registry.hpp"

namespace fastqueue {

class PluginLoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Splits --task-modules values on spaces and commas and drops empty names:
// {"a b", "c,d"} -> {"a", "b", "c", "d"}.
std::vector<std::string> split_module_names(const std::vector<std::string>& values);

// The directories searched for a plugin name, in order: each --modules-dir,
// then each entry of FASTQUEUE_MODULES_PATH (colon-separated; pass its value,
// or an empty string when unset), then the installed modules directory
// (<prefix>/lib/fastqueue/modules, <prefix> being the directory above the
// executable's bin/), then ./modules.
std::vector<std::filesystem::path> module_search_path(const std::vector<std::string>& modules_dirs,
                                                      const std::string& modules_path_env);

// Resolves a name: one with a '/' is a path used as is; otherwise the first
// existing lib<name>.so or <name>.so in the search path. Throws
// PluginLoadError "plugin 'NAME' not found; searched: ..." when none exists.
std::filesystem::path resolve_module(const std::string& name,
                                     const std::vector<std::filesystem::path>& search_path);

class PluginSet {
public:
    // Loads each named plugin in order. Throws PluginLoadError; on failure
    // every plugin loaded so far is shut down and unloaded.
    static std::unique_ptr<PluginSet> load(const std::vector<std::string>& module_names,
                                           const std::vector<std::filesystem::path>& search_path);
    // Calls each plugin's shutdown (in reverse load order), then unloads it.
    // The caller must have stopped every handler first.
    ~PluginSet();
    PluginSet(const PluginSet&) = delete;
    PluginSet& operator=(const PluginSet&) = delete;

    const TaskRegistry& registry() const { return registry_; }

private:
    PluginSet() = default;
    struct Library;
    std::vector<std::unique_ptr<Library>> libraries_;
    TaskRegistry registry_;
};

// The host function table handed to every plugin (runtime/plugins/host_api.cpp).
const fq_host_api& host_api();

}  // namespace fastqueue

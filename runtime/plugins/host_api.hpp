// host_api.hpp -- runtime-side helpers around the fq_host_api table that
// host_api.cpp fills (the table itself is declared in plugin_set.hpp).
//
// A plugin's log lines from init and shutdown carry no task context, so the
// loader names the plugin for them: while a PluginLogScope lives on a thread,
// host->log calls made on that thread without a context are prefixed with the
// plugin's name.
#pragma once

#include <string>

namespace fastqueue {

class PluginLogScope {
public:
    // plugin_name must outlive the scope.
    explicit PluginLogScope(const std::string& plugin_name);
    ~PluginLogScope();
    PluginLogScope(const PluginLogScope&) = delete;
    PluginLogScope& operator=(const PluginLogScope&) = delete;

private:
    const std::string* previous_;
};

}  // namespace fastqueue

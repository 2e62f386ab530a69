// task_registry.cpp -- see task_registry.hpp.
#include "plugins/task_registry.hpp"

namespace fastqueue {

bool TaskRegistry::add(RegisteredTask task) {
    auto name = task.name;
    return tasks_.emplace(std::move(name), std::move(task)).second;
}

void TaskRegistry::add_plugin(LoadedPluginInfo plugin) { plugins_.push_back(std::move(plugin)); }

const RegisteredTask* TaskRegistry::find(std::string_view name) const {
    auto it = tasks_.find(name);
    return it == tasks_.end() ? nullptr : &it->second;
}

std::vector<const RegisteredTask*> TaskRegistry::tasks() const {
    std::vector<const RegisteredTask*> all;
    all.reserve(tasks_.size());
    for (const auto& [name, task] : tasks_) all.push_back(&task);
    return all;
}

std::vector<std::string> TaskRegistry::task_names() const {
    std::vector<std::string> names;
    names.reserve(tasks_.size());
    for (const auto& [name, task] : tasks_) names.push_back(name);
    return names;
}

}  // namespace fastqueue

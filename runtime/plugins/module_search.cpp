// module_search.cpp -- turns the names given to --task-modules into plugin
// files: splitting the flag values, building the ordered list of modules
// directories, and finding a name's file in them (see plugin_set.hpp).
#include <system_error>

#include "plugins/plugin_set.hpp"

#ifndef FASTQUEUE_INSTALL_MODULES_DIR
#error "FASTQUEUE_INSTALL_MODULES_DIR must name the installed modules directory"
#endif
#ifndef FASTQUEUE_MODULES_SUBDIR
#error "FASTQUEUE_MODULES_SUBDIR must name the modules directory relative to the prefix"
#endif

namespace fastqueue {

namespace fs = std::filesystem;

namespace {

bool is_name_separator(char c) {
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// True when path names a regular file (following symlinks). Errors such as a
// directory without search permission count as "not here", so that the search
// goes on to the next directory.
bool is_existing_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// <prefix>/lib/fastqueue/modules, where <prefix> is the directory above the
// one holding the running executable (<prefix>/bin/fastqueue), so that an
// installation moved to another prefix still finds its own plugins. Falls
// back to the prefix configured at build time when the executable's path
// cannot be read.
fs::path installed_modules_dir() {
    std::error_code ec;
    const fs::path executable = fs::read_symlink("/proc/self/exe", ec);
    if (ec || !executable.has_parent_path()) return FASTQUEUE_INSTALL_MODULES_DIR;
    return executable.parent_path().parent_path() / FASTQUEUE_MODULES_SUBDIR;
}

}  // namespace

std::vector<std::string> split_module_names(const std::vector<std::string>& values) {
    std::vector<std::string> names;
    for (const auto& value : values) {
        std::string current;
        for (char c : value) {
            if (!is_name_separator(c)) {
                current.push_back(c);
            } else if (!current.empty()) {
                names.push_back(std::move(current));
                current.clear();
            }
        }
        if (!current.empty()) names.push_back(std::move(current));
    }
    return names;
}

std::vector<fs::path> module_search_path(const std::vector<std::string>& modules_dirs,
                                         const std::string& modules_path_env) {
    std::vector<fs::path> path;
    for (const auto& dir : modules_dirs) {
        if (!dir.empty()) path.emplace_back(dir);
    }
    std::size_t start = 0;
    while (start <= modules_path_env.size()) {
        std::size_t end = modules_path_env.find(':', start);
        if (end == std::string::npos) end = modules_path_env.size();
        // An empty entry ("a::b", a leading or trailing colon) is skipped
        // rather than read as the current directory, which ./modules covers.
        if (end > start) path.emplace_back(modules_path_env.substr(start, end - start));
        start = end + 1;
    }
    path.push_back(installed_modules_dir());
    path.emplace_back("./modules");
    return path;
}

fs::path resolve_module(const std::string& name, const std::vector<fs::path>& search_path) {
    if (name.empty()) throw PluginLoadError("plugin name is empty");
    if (name.find('/') != std::string::npos) {
        if (!is_existing_file(name)) {
            throw PluginLoadError(name + ": not found (a name containing '/' is used as a path)");
        }
        return name;
    }
    const std::string candidates[] = {"lib" + name + ".so", name + ".so"};
    for (const auto& dir : search_path) {
        for (const auto& candidate : candidates) {
            fs::path file = dir / candidate;
            if (is_existing_file(file)) return file;
        }
    }
    std::string searched;
    for (const auto& dir : search_path) {
        if (!searched.empty()) searched += ", ";
        searched += dir.string();
    }
    throw PluginLoadError("plugin '" + name + "' not found; searched: " + searched + " (for " +
                          candidates[0] + " and " + candidates[1] + ")");
}

}  // namespace fastqueue

// module_search_test.cpp -- how --task-modules names become plugin files:
// splitting the flag values, the order of the modules directories (flags,
// FASTQUEUE_MODULES_PATH, installed dir, ./modules), which file wins, names
// with a slash, and the not-found message that lists every place searched.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "plugins/plugin_set.hpp"

namespace fs = std::filesystem;
using fastqueue::module_search_path;
using fastqueue::PluginLoadError;
using fastqueue::resolve_module;
using fastqueue::split_module_names;

namespace {

// A fresh directory under the system temp dir, removed with its contents on
// destruction.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "fq-module-search-XXXXXX").string();
        REQUIRE(mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    // Creates an (empty) file and returns its path; the resolver only looks
    // for files, it does not open them.
    fs::path touch(const std::string& name) const {
        const fs::path file = path_ / name;
        std::ofstream(file) << "placeholder\n";
        return file;
    }

private:
    fs::path path_;
};

std::string resolve_error(const std::string& name, const std::vector<fs::path>& search_path) {
    try {
        resolve_module(name, search_path);
    } catch (const PluginLoadError& e) {
        return e.what();
    }
    FAIL("resolve_module found '" << name << "', but a PluginLoadError was expected");
    return {};
}

}  // namespace

TEST_CASE("split_module_names: splits on spaces and commas and drops empty names") {
    CHECK(split_module_names({"a b", "c,d"}) == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(split_module_names({" mytasks,, other ,", "", "  ", "last"}) ==
          std::vector<std::string>{"mytasks", "other", "last"});
    CHECK(split_module_names({"./modules/libx.so,/opt/y.so"}) ==
          std::vector<std::string>{"./modules/libx.so", "/opt/y.so"});
    CHECK(split_module_names({}).empty());
}

TEST_CASE("module_search_path: flags, then the environment, then installed, then ./modules") {
    const auto path = module_search_path({"/flag/one", "/flag/two"}, "/env/one:/env/two");
    REQUIRE(path.size() == 6);
    CHECK(path[0] == "/flag/one");
    CHECK(path[1] == "/flag/two");
    CHECK(path[2] == "/env/one");
    CHECK(path[3] == "/env/two");
    CHECK(path[4].is_absolute());
    CHECK(path[4].string().find("fastqueue/modules") != std::string::npos);
    CHECK(path[5] == "./modules");
}

TEST_CASE("module_search_path: skips empty entries of FASTQUEUE_MODULES_PATH") {
    const auto path = module_search_path({}, ":/env/one::/env/two:");
    REQUIRE(path.size() == 4);
    CHECK(path[0] == "/env/one");
    CHECK(path[1] == "/env/two");
    CHECK(path[3] == "./modules");

    const auto without_env = module_search_path({"/flag"}, "");
    REQUIRE(without_env.size() == 3);
    CHECK(without_env[0] == "/flag");
    CHECK(without_env[2] == "./modules");
}

TEST_CASE("resolve_module: the first directory holding the plugin wins") {
    TempDir first, second;
    second.touch("libtasks.so");
    const fs::path in_first = first.touch("tasks.so");
    CHECK(resolve_module("tasks", {first.path(), second.path()}) == in_first);
    CHECK(resolve_module("tasks", {second.path(), first.path()}) == second.path() / "libtasks.so");
}

TEST_CASE("resolve_module: within a directory lib<name>.so goes before <name>.so") {
    TempDir dir;
    dir.touch("tasks.so");
    const fs::path lib = dir.touch("libtasks.so");
    CHECK(resolve_module("tasks", {dir.path()}) == lib);
}

TEST_CASE("resolve_module: skips directories that do not exist and non-files") {
    TempDir dir;
    fs::create_directory(dir.path() / "libtasks.so");
    TempDir other;
    const fs::path file = other.touch("tasks.so");
    CHECK(resolve_module("tasks", {dir.path() / "missing", dir.path(), other.path()}) == file);
}

TEST_CASE("resolve_module: a name with a slash is a path used as is") {
    TempDir dir;
    const fs::path file = dir.touch("custom-name.so");
    TempDir decoy;
    decoy.touch("libcustom-name.so");
    CHECK(resolve_module(file.string(), {decoy.path()}) == file);

    const std::string missing = (dir.path() / "absent.so").string();
    const auto message = resolve_error(missing, {decoy.path()});
    CHECK(message.rfind(missing + ": not found", 0) == 0);
}

TEST_CASE("resolve_module: not found lists every directory searched, in order") {
    TempDir first, second;
    const auto search_path = module_search_path({first.path().string()}, second.path().string());
    const auto message = resolve_error("ghost", search_path);

    std::string dirs;
    for (const auto& dir : search_path) dirs += (dirs.empty() ? "" : ", ") + dir.string();
    CHECK(message ==
          "plugin 'ghost' not found; searched: " + dirs + " (for libghost.so and ghost.so)");
    CHECK(message.find(first.path().string()) < message.find(second.path().string()));
    CHECK(message.find("./modules") != std::string::npos);
}

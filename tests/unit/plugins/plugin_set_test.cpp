// plugin_set_test.cpp -- the loader against the real test plugins in
// plugins/testing: the positive load, and for each loader failure the one-line
// message a user sees (file, reason, versions, the plugin's own message) and
// that every plugin already loaded is shut down and unloaded.
#include "plugins/plugin_set.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "log_capture.hpp"
#include "plugins/task_context.hpp"

namespace fs = std::filesystem;
using fastqueue::PluginLoadError;
using fastqueue::PluginSet;
using fastqueue::testing::LogCapture;

namespace {

const std::vector<fs::path> kSearchPath = {FASTQUEUE_TEST_MODULES_DIR};

// The path the loader names a test plugin by: absolute and normalised.
std::string module_path(const std::string& name) {
    return (fs::absolute(fs::path(FASTQUEUE_TEST_MODULES_DIR) / ("lib" + name + ".so")))
        .lexically_normal()
        .string();
}

std::string runtime_abi() {
    return std::to_string(FQ_PLUGIN_ABI_MAJOR) + "." + std::to_string(FQ_PLUGIN_ABI_MINOR);
}

// Loads the named plugins, expecting a PluginLoadError; returns its message.
std::string load_error(const std::vector<std::string>& names) {
    try {
        PluginSet::load(names, kSearchPath);
    } catch (const PluginLoadError& e) {
        return e.what();
    }
    FAIL("loading the plugins succeeded, but a PluginLoadError was expected");
    return {};
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("PluginSet: loads a valid plugin and registers its tasks and descriptions") {
    auto plugins = PluginSet::load({"fq_test_ok"}, kSearchPath);
    const auto& registry = plugins->registry();

    CHECK(registry.task_names() == std::vector<std::string>{"test_ok_echo", "test_ok_fail"});
    const auto* echo = registry.find("test_ok_echo");
    REQUIRE(echo != nullptr);
    CHECK(echo->description == "Returns its input unchanged.");
    CHECK(echo->plugin_name == "fq_test_ok");
    CHECK(echo->plugin_path == module_path("fq_test_ok"));
    CHECK((echo->handler != nullptr));
    CHECK(registry.find("nope") == nullptr);

    REQUIRE(registry.plugins().size() == 1);
    const auto& info = registry.plugins().front();
    CHECK(info.name == "fq_test_ok");
    CHECK(info.version == "1.0.0");
    CHECK(info.path == module_path("fq_test_ok"));
    CHECK(info.abi_major == FQ_PLUGIN_ABI_MAJOR);
    CHECK(info.abi_minor == FQ_PLUGIN_ABI_MINOR);
    CHECK(info.task_names == std::vector<std::string>{"test_ok_echo", "test_ok_fail"});
}

TEST_CASE("PluginSet: a registered handler answers through the host API") {
    auto plugins = PluginSet::load({"fq_test_ok"}, kSearchPath);
    const auto* echo = plugins->registry().find("test_ok_echo");
    REQUIRE(echo != nullptr);

    fq_task_context ctx("task-1", "test_ok_echo");
    const std::string input = R"({"args": [1, "two"]})";
    const int status = echo->handler(&ctx, reinterpret_cast<const std::uint8_t*>(input.data()),
                                     input.size(), echo->user_data);
    CHECK(status == FQ_OK);
    CHECK(ctx.has_result());
    CHECK(ctx.result() == input);

    const auto* fail = plugins->registry().find("test_ok_fail");
    REQUIRE(fail != nullptr);
    fq_task_context failing("task-2", "test_ok_fail");
    CHECK(fail->handler(&failing, nullptr, 0, fail->user_data) != FQ_OK);
    CHECK(failing.error() == "test_ok_fail always fails");
}

TEST_CASE("PluginSet: runs init once and shutdown when the set is destroyed") {
    LogCapture log;
    auto plugins = PluginSet::load({"fq_test_ok"}, kSearchPath);
    CHECK(log.contains("[plugin fq_test_ok] fq_test_ok: init"));
    CHECK(log.contains("loaded plugin 'fq_test_ok' 1.0.0 from " + module_path("fq_test_ok")));
    CHECK_FALSE(log.contains("fq_test_ok: shutdown"));
    plugins.reset();
    CHECK(log.contains("[plugin fq_test_ok] fq_test_ok: shutdown"));
}

TEST_CASE("PluginSet: loads several plugins, by name and by path") {
    auto plugins = PluginSet::load({"fq_test_ok", module_path("fq_test_throws")}, kSearchPath);
    CHECK(plugins->registry().task_names() ==
          std::vector<std::string>{"test_ok_echo", "test_ok_fail", "throws"});
    REQUIRE(plugins->registry().plugins().size() == 2);
    CHECK(plugins->registry().plugins()[1].name == "fq_test_throws");
}

TEST_CASE("PluginSet: the same file named twice is loaded once") {
    LogCapture log;
    auto plugins =
        PluginSet::load({"fq_test_ok", module_path("fq_test_ok"), "fq_test_ok"}, kSearchPath);
    CHECK(plugins->registry().plugins().size() == 1);
    CHECK(plugins->registry().task_names().size() == 2);
    CHECK(log.contains("named more than once"));
}

TEST_CASE("PluginSet: the throwing test plugin's handler throws its message") {
    auto plugins = PluginSet::load({"fq_test_throws"}, kSearchPath);
    const auto* task = plugins->registry().find("throws");
    REQUIRE(task != nullptr);
    fq_task_context ctx("task-1", "throws");
    CHECK_THROWS_WITH_AS(task->handler(&ctx, nullptr, 0, task->user_data), "boom from handler",
                         std::runtime_error);
}

TEST_CASE("PluginSet: refuses a plugin built for another ABI major, naming both versions") {
    CHECK(load_error({"fq_test_bad_abi"}) == module_path("fq_test_bad_abi") +
                                                 ": plugin ABI 2.0 is incompatible with runtime "
                                                 "ABI " +
                                                 runtime_abi() + " (major must match)");
}

TEST_CASE("PluginSet: refuses a plugin built for a newer ABI minor, naming both versions") {
    const auto message = load_error({"fq_test_newer_minor"});
    CHECK(starts_with(message, module_path("fq_test_newer_minor") +
                                   ": plugin ABI 1.99 is newer "
                                   "than runtime ABI " +
                                   runtime_abi()));
}

TEST_CASE("PluginSet: refuses a shared object without the entry symbol") {
    CHECK(load_error({"fq_test_no_entry"}) ==
          module_path("fq_test_no_entry") +
              ": not a FastQueue plugin (no fastqueue_plugin_entry symbol)");
}

TEST_CASE("PluginSet: refuses a plugin whose entry returns NULL") {
    CHECK(load_error({"fq_test_entry_null"}) ==
          module_path("fq_test_entry_null") +
              ": not a FastQueue plugin (its entry function returned NULL)");
}

TEST_CASE("PluginSet: refuses a descriptor smaller than the ABI 1.0 descriptor") {
    const auto message = load_error({"fq_test_short_descriptor"});
    CHECK(starts_with(message, module_path("fq_test_short_descriptor") +
                                   ": invalid plugin descriptor (struct_size 8 is smaller than"));
    CHECK(message.find("ABI 1.0") != std::string::npos);
}

TEST_CASE("PluginSet: refuses a file that is not a shared object, with the loader's reason") {
    const auto message = load_error({"fq_test_not_elf"});
    CHECK(starts_with(message,
                      module_path("fq_test_not_elf") + ": not a FastQueue plugin (cannot load: "));
    CHECK(message.find("invalid ELF header") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("PluginSet: refuses at load time a plugin with an unresolved symbol") {
    const auto message = load_error({"fq_test_unresolved"});
    CHECK(starts_with(
        message, module_path("fq_test_unresolved") + ": not a FastQueue plugin (cannot load: "));
    CHECK(message.find("fq_test_symbol_defined_nowhere") != std::string::npos);
}

TEST_CASE("PluginSet: reports a failed init with the plugin's message and skips its shutdown") {
    LogCapture log;
    CHECK(load_error({"fq_test_init_fails"}) ==
          module_path("fq_test_init_fails") +
              ": plugin 'fq_test_init_fails' init failed: database unreachable");
    CHECK_FALSE(log.contains("fq_test_init_fails: shutdown"));
}

TEST_CASE("PluginSet: refuses a plugin that registered an invalid task name, then shuts it down") {
    LogCapture log;
    CHECK(load_error({"fq_test_bad_task_name"}) ==
          module_path("fq_test_bad_task_name") +
              ": plugin 'fq_test_bad_task_name' cannot register task 'bad name!': name must be "
              "1 to 128 characters of [A-Za-z0-9_.:-]");
    CHECK(log.contains("fq_test_bad_task_name: shutdown"));
}

TEST_CASE("PluginSet: refuses a task name another plugin registered, naming both plugins") {
    LogCapture log;
    CHECK(load_error({"fq_test_duplicate_a", "fq_test_duplicate_b"}) ==
          module_path("fq_test_duplicate_b") +
              ": task 'dup_task' of plugin 'fq_test_duplicate_b' is already registered by "
              "plugin 'fq_test_duplicate_a' (" +
              module_path("fq_test_duplicate_a") + ")");
    // Both inits succeeded, so both are shut down: the refused one first, then
    // the one loaded before it.
    const int b_shutdown = log.find("fq_test_duplicate_b: shutdown");
    const int a_shutdown = log.find("fq_test_duplicate_a: shutdown");
    CHECK(b_shutdown >= 0);
    CHECK(a_shutdown > b_shutdown);
}

TEST_CASE("PluginSet: a failure shuts down and unloads the plugins loaded before it") {
    LogCapture log;
    const auto message = load_error({"fq_test_ok", "fq_test_init_fails"});
    CHECK(message.find("database unreachable") != std::string::npos);
    CHECK(log.contains("fq_test_ok: shutdown"));

    // Nothing was left registered anywhere: the same plugin loads again.
    auto plugins = PluginSet::load({"fq_test_ok"}, kSearchPath);
    CHECK(plugins->registry().find("test_ok_echo") != nullptr);
}

TEST_CASE("PluginSet: a name found nowhere is reported with the places searched") {
    CHECK(starts_with(load_error({"fq_test_missing"}),
                      "plugin 'fq_test_missing' not found; searched: " +
                          fs::path(FASTQUEUE_TEST_MODULES_DIR).string()));
}

TEST_CASE("PluginSet: every failure message is a single line") {
    for (const char* name :
         {"fq_test_bad_abi", "fq_test_newer_minor", "fq_test_no_entry", "fq_test_entry_null",
          "fq_test_short_descriptor", "fq_test_not_elf", "fq_test_unresolved", "fq_test_init_fails",
          "fq_test_bad_task_name", "fq_test_missing"}) {
        CAPTURE(name);
        const auto message = load_error({name});
        CHECK_FALSE(message.empty());
        CHECK(message.find('\n') == std::string::npos);
    }
}

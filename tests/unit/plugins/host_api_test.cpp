// host_api_test.cpp -- the host function table plugins call: the version it
// reports, how register_task validates definitions (names, handler, flags,
// struct sizes, duplicates, calls after init) and how the task functions
// validate their arguments and forward to the task context; and the log.
#include "plugins/host_api.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "log_capture.hpp"
#include "plugins/plugin_set.hpp"
#include "plugins/registrar.hpp"
#include "plugins/task_context.hpp"

using fastqueue::host_api;
using fastqueue::testing::LogCapture;

namespace {

int noop_handler(fq_task_context*, const uint8_t*, size_t, void*) { return FQ_OK; }

fq_task_def task_def(const char* name) {
    fq_task_def def{};
    def.struct_size = sizeof(fq_task_def);
    def.name = name;
    def.handler = noop_handler;
    def.description = "does nothing";
    return def;
}

const std::uint8_t* bytes(const std::string& text) {
    return reinterpret_cast<const std::uint8_t*>(text.data());
}

}  // namespace

TEST_CASE("host_api: reports this runtime's ABI version and fills every function") {
    const fq_host_api& api = host_api();
    CHECK(api.struct_size == sizeof(fq_host_api));
    CHECK(api.abi_major == FQ_PLUGIN_ABI_MAJOR);
    CHECK(api.abi_minor == FQ_PLUGIN_ABI_MINOR);
    CHECK((api.register_task != nullptr));
    CHECK((api.set_result != nullptr));
    CHECK((api.set_error != nullptr));
    CHECK((api.report_progress != nullptr));
    CHECK((api.is_cancelled != nullptr));
    CHECK((api.log != nullptr));
    CHECK(&host_api() == &api);
}

TEST_CASE("register_task: records a valid task with its description and plugin") {
    fq_registrar registrar("plug", "/modules/libplug.so");
    int user_data = 7;
    fq_task_def def = task_def("math.add:v1-x_2");
    def.user_data = &user_data;
    def.description = "Adds.\nTwo lines.";
    CHECK(host_api().register_task(&registrar, &def) == FQ_OK);
    registrar.close();

    CHECK(registrar.first_error().empty());
    const auto tasks = registrar.take_tasks();
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0].name == "math.add:v1-x_2");
    CHECK(tasks[0].description == "Adds. Two lines.");
    CHECK(tasks[0].plugin_name == "plug");
    CHECK(tasks[0].plugin_path == "/modules/libplug.so");
    CHECK((tasks[0].handler == &noop_handler));
    CHECK(tasks[0].user_data == &user_data);
}

TEST_CASE("register_task: refuses invalid names and says why") {
    const std::string longest(128, 'n');
    const std::string too_long(129, 'n');
    for (const std::string& name : {std::string(""), std::string("bad name!"),
                                    std::string("slash/no"), std::string("ünicode"), too_long}) {
        CAPTURE(name);
        fq_registrar registrar("plug", "/p.so");
        fq_task_def def = task_def(name.c_str());
        CHECK(host_api().register_task(&registrar, &def) == FQ_ERROR_INVALID_ARGUMENT);
        CHECK(registrar.first_error().find("name must be 1 to 128 characters of [A-Za-z0-9_.:-]") !=
              std::string::npos);
    }
    fq_registrar registrar("plug", "/p.so");
    fq_task_def def = task_def(longest.c_str());
    CHECK(host_api().register_task(&registrar, &def) == FQ_OK);
}

TEST_CASE("register_task: refuses NULL arguments, a NULL handler and unknown flags") {
    fq_task_def def = task_def("ok_name");
    CHECK(host_api().register_task(nullptr, &def) == FQ_ERROR_INVALID_ARGUMENT);

    fq_registrar registrar("plug", "/p.so");
    CHECK(host_api().register_task(&registrar, nullptr) == FQ_ERROR_INVALID_ARGUMENT);
    CHECK(registrar.first_error() == "cannot register a task: the task definition is NULL");

    fq_registrar null_name("plug", "/p.so");
    def = task_def(nullptr);
    CHECK(host_api().register_task(&null_name, &def) == FQ_ERROR_INVALID_ARGUMENT);
    CHECK(null_name.first_error() == "cannot register a task: the task name is NULL");

    fq_registrar no_handler("plug", "/p.so");
    def = task_def("no_handler");
    def.handler = nullptr;
    CHECK(host_api().register_task(&no_handler, &def) == FQ_ERROR_INVALID_ARGUMENT);
    CHECK(no_handler.first_error() == "cannot register task 'no_handler': the handler is NULL");

    fq_registrar flags("plug", "/p.so");
    def = task_def("flagged");
    def.flags = 0x5;
    CHECK(host_api().register_task(&flags, &def) == FQ_ERROR_INVALID_ARGUMENT);
    CHECK(flags.first_error() == "cannot register task 'flagged': unknown flag bits 0x5");
    flags.close();
    CHECK(flags.take_tasks().empty());
}

TEST_CASE("register_task: refuses a definition smaller than ABI 1.0, accepts a larger one") {
    fq_registrar registrar("plug", "/p.so");
    fq_task_def def = task_def("small");
    def.struct_size = 8;
    CHECK(host_api().register_task(&registrar, &def) == FQ_ERROR_INVALID_ARGUMENT);
    CHECK(registrar.first_error().find("struct_size 8 is smaller than") != std::string::npos);

    // A plugin built against a later 1.x header passes a longer struct; the
    // members this runtime knows are read and the rest ignored.
    struct LaterTaskDef {
        fq_task_def known;
        std::uint64_t added_later;
    } later{};
    later.known = task_def("later");
    later.known.struct_size = sizeof(LaterTaskDef);
    later.added_later = 0xffffffffffffffffull;
    fq_registrar accepting("plug", "/p.so");
    CHECK(host_api().register_task(&accepting, &later.known) == FQ_OK);
}

TEST_CASE("register_task: a name registered twice by one plugin is a duplicate") {
    fq_registrar registrar("plug", "/p.so");
    fq_task_def def = task_def("twice");
    CHECK(host_api().register_task(&registrar, &def) == FQ_OK);
    CHECK(host_api().register_task(&registrar, &def) == FQ_ERROR_DUPLICATE);
    CHECK(registrar.first_error() == "cannot register task 'twice': it is registered twice");
    registrar.close();
    CHECK(registrar.take_tasks().size() == 1);
}

TEST_CASE("register_task: refused with FQ_ERROR_STATE once init has returned") {
    fq_registrar registrar("plug", "/p.so");
    registrar.close();
    fq_task_def def = task_def("late");
    CHECK(host_api().register_task(&registrar, &def) == FQ_ERROR_STATE);
    CHECK(registrar.take_tasks().empty());
}

TEST_CASE("set_result and set_error: validate arguments and copy what they are given") {
    fq_task_context ctx("id-1", "task");
    std::string result = "[1, 2]";
    CHECK(host_api().set_result(nullptr, bytes(result), result.size()) ==
          FQ_ERROR_INVALID_ARGUMENT);
    CHECK(host_api().set_result(&ctx, nullptr, 3) == FQ_ERROR_INVALID_ARGUMENT);
    CHECK_FALSE(ctx.has_result());

    CHECK(host_api().set_result(&ctx, bytes(result), result.size()) == FQ_OK);
    result[1] = '9';  // the host kept its own copy
    CHECK(ctx.result() == "[1, 2]");
    CHECK(host_api().set_result(&ctx, nullptr, 0) == FQ_OK);
    CHECK(ctx.has_result());
    CHECK(ctx.result().empty());

    CHECK(host_api().set_error(nullptr, "x") == FQ_ERROR_INVALID_ARGUMENT);
    CHECK(host_api().set_error(&ctx, nullptr) == FQ_ERROR_INVALID_ARGUMENT);
    CHECK_FALSE(ctx.has_error());
    CHECK(host_api().set_error(&ctx, "first") == FQ_OK);
    CHECK(host_api().set_error(&ctx, "second") == FQ_OK);
    CHECK(ctx.error() == "second");
}

TEST_CASE("report_progress: accepts fractions in [0, 1] only") {
    fq_task_context ctx("id-1", "task");
    CHECK(host_api().report_progress(nullptr, 0.5, nullptr) == FQ_ERROR_INVALID_ARGUMENT);
    for (double bad : {-0.01, 1.01, std::nan(""), std::numeric_limits<double>::infinity()}) {
        CAPTURE(bad);
        CHECK(host_api().report_progress(&ctx, bad, "msg") == FQ_ERROR_INVALID_ARGUMENT);
    }
    CHECK_FALSE(ctx.progress().has_value());
    CHECK(host_api().report_progress(&ctx, 0.0, nullptr) == FQ_OK);
    CHECK(host_api().report_progress(&ctx, 1.0, "done") == FQ_OK);
    CHECK(host_api().report_progress(&ctx, 0.25, "quarter") == FQ_OK);
    CHECK(ctx.progress() == 0.25);
}

TEST_CASE("is_cancelled: follows the context's flag; a NULL context reads as stop") {
    fq_task_context ctx("id-1", "task");
    CHECK(host_api().is_cancelled(&ctx) == 0);
    ctx.request_cancel();
    CHECK(host_api().is_cancelled(&ctx) == 1);
    CHECK(host_api().is_cancelled(nullptr) == FQ_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("log: names the task when given one, the plugin during init, clamps bad levels") {
    LogCapture log;
    fq_task_context ctx("3f2c-id", "resize_image");
    host_api().log(&ctx, FQ_LOG_WARN, "disk almost full");
    CHECK(log.contains("warning [task resize_image 3f2c-id] disk almost full"));

    {
        const std::string plugin = "imaging";
        fastqueue::PluginLogScope scope(plugin);
        host_api().log(nullptr, FQ_LOG_INFO, "connected");
    }
    CHECK(log.contains("info [plugin imaging] connected"));
    host_api().log(nullptr, FQ_LOG_DEBUG, "outside any plugin");
    CHECK(log.contains("debug [plugin] outside any plugin"));

    host_api().log(nullptr, 99, "too high");
    CHECK(log.contains("error [plugin] too high"));
    host_api().log(nullptr, -3, "too low");
    CHECK(log.contains("trace [plugin] too low"));

    const auto before = log.lines().size();
    host_api().log(&ctx, FQ_LOG_INFO, nullptr);
    CHECK(log.lines().size() == before);
}

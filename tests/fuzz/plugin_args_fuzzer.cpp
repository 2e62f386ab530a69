// plugin_args_fuzzer.cpp -- libFuzzer target for the C++ plugin wrapper's
// argument decoding (plugin-sdk/include/fastqueue/plugin.hpp): the task
// input {"args": [...], "kwargs": {...}} that a client sends reaches a typed
// C++ function only through it.
//
// The tasks below are registered through FASTQUEUE_PLUGIN's machinery
// (fastqueue::plugin::Plugin) against the unit tests' fake host, and each
// input is handed to every one of them through its registered ABI handler,
// exactly as the runtime calls it. Together they take every parameter type
// the wrapper supports: integers of each width and sign, float and double,
// bool, strings, json, Number, vectors, maps, optionals, a type with its own
// from_json, a TaskContext, positional-only and no parameters.
//
// Input: the task input bytes, as they arrive in a SUBMIT payload.
//
// Beyond "no crash", the ABI contract is checked: FQ_OK comes with a result
// that is valid JSON and no error; any other status comes with a non-empty
// error message that is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fastqueue/plugin.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fake_host.hpp"

namespace {

using fastqueue::plugin::json;
using fastqueue::plugin::Number;
using fastqueue::plugin::Registrar;
using fastqueue::plugin::TaskContext;
using fastqueue::testing::FakeHost;
using fastqueue::testing::FakeTask;

struct Point {
    double x = 0;
    double y = 0;
};
void from_json(const json& value, Point& point) {
    value.at("x").get_to(point.x);
    value.at("y").get_to(point.y);
}

void define_tasks(Registrar& plugin) {
    plugin.task("integers", "",
                [](std::int8_t a, std::uint8_t b, std::int16_t c, std::uint32_t d, std::int64_t e,
                   std::uint64_t f) {
                    return json::array({a, b, c, d, e, f});
                },
                {"a", "b", "c", "d", "e", "f"});
    plugin.task("floats", "",
                [](float x, double y) {
                    return std::vector<double>{x, y};
                },
                {"x", "y"});
    plugin.task("text", "",
                [](bool upper, const std::string& text) { return upper ? text + "!" : text; },
                {"upper", "text"});
    plugin.task(
        "containers", "",
        [](const std::vector<std::int32_t>& list,
           const std::map<std::string, std::vector<double>>& table,
           std::optional<std::string> maybe) {
            return json{{"list", list}, {"table", table}, {"maybe", maybe.value_or("none")}};
        },
        {"list", "table", "maybe"});
    plugin.task("values", "",
                [](const json& any, const Number& number, std::optional<std::uint16_t> port) {
                    return json::array({any, number.value(), port ? json(*port) : json()});
                },
                {"any", "number", "port"});
    plugin.task("points", "",
                [](TaskContext& context, Point point, std::optional<std::vector<Point>> more) {
                    context.throw_if_cancelled();
                    context.report_progress(0.5, "halfway");
                    return json::array({point.x, point.y, more ? more->size() : 0});
                },
                {"point", "more"});
    plugin.task("positional", "",
                [](int count, const std::string& text) { return std::to_string(count) + text; });
    plugin.task("nothing", "", []() {});
}

[[noreturn]] void fail(const std::string& task, const std::string& what) {
    std::fprintf(stderr, "plugin_args_fuzzer: task '%s': %s\n", task.c_str(), what.c_str());
    std::abort();
}

bool is_valid_utf8(const std::string& text) {
    try {
        (void)json(text).dump();
        return true;
    } catch (const json::type_error&) {
        return false;
    }
}

void check_outcome(const std::string& task, const FakeTask& outcome) {
    if (outcome.status == FQ_OK) {
        if (!outcome.has_result || outcome.has_error) fail(task, "FQ_OK without just a result");
        if (!json::accept(outcome.result)) fail(task, "result is not JSON: " + outcome.result);
        return;
    }
    if (!outcome.has_error || outcome.error.empty()) fail(task, "failed without an error");
    if (!is_valid_utf8(outcome.error)) fail(task, "error is not UTF-8: " + outcome.error);
}

// The fake host with the wrapper's tasks registered, once per process.
struct Host {
    FakeHost host;
    fastqueue::plugin::Plugin plugin{&define_tasks};
    Host() {
        char error[256] = {};
        if (plugin.init(&host.api(), host.registrar(), error, sizeof error) != FQ_OK) {
            fail("(init)", error);
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Host host;
    const std::string input(reinterpret_cast<const char*>(data), size);
    // An odd-sized input runs as a cancelled task, so both paths are taken.
    const bool is_cancelled = (size % 2) == 1;
    for (const auto& [name, registered] : host.host.tasks()) {
        check_outcome(name, host.host.run(name, input, is_cancelled));
    }
    return 0;
}

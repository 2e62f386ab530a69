// Unit tests of the C++ plugin wrapper (plugin-sdk/include/fastqueue/plugin.hpp).
// Each test registers tasks through the wrapper against a fake host, runs them
// through the registered ABI handler with real JSON input, and checks what a
// plugin author would: the encoded result, or the exact error message.
#include <doctest/doctest.h>

#include <cstdint>
#include <fastqueue/plugin.hpp>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fake_host.hpp"

namespace {

using fastqueue::plugin::json;
using fastqueue::plugin::Number;
using fastqueue::plugin::Plugin;
using fastqueue::plugin::Registrar;
using fastqueue::plugin::TaskContext;
using fastqueue::testing::FakeHost;
using fastqueue::testing::FakeTask;

double add_doubles(double x, double y) { return x + y; }
std::int32_t add_int32(std::int32_t x, std::int32_t y) { return x + y; }
std::uint8_t identity_uint8(std::uint8_t value) { return value; }
std::int64_t identity_int64(std::int64_t value) { return value; }
bool negate(bool value) { return !value; }
std::string greet(const std::string& name) { return "hello " + name; }
std::int64_t sum(const std::vector<std::int64_t>& values) {
    std::int64_t total = 0;
    for (auto value : values) total += value;
    return total;
}
std::string describe_optional(std::optional<std::int64_t> value) {
    return value ? std::to_string(*value) : "none";
}
json echo(const json& value) { return value; }
void nothing() {}
float to_float(float value) { return value; }

void define_tasks(Registrar& plugin) {
    plugin.task("add", "Adds two numbers", add_doubles, {"x", "y"});
    plugin.task("add_int32", "Adds two 32-bit integers", add_int32, {"x", "y"});
    plugin.task("add_positional", "", add_doubles);
    plugin.task("uint8", "", identity_uint8, {"value"});
    plugin.task("int64", "", identity_int64, {"value"});
    plugin.task("negate", "", negate, {"value"});
    plugin.task("greet", "", greet, {"name"});
    plugin.task("sum", "", sum, {"xs"});
    plugin.task("optional", "", describe_optional, {"value"});
    plugin.task("echo", "", echo, {"value"});
    plugin.task("nothing", "", nothing);
    plugin.task("float", "", to_float, {"value"});
    plugin.task("number", "", [](const Number& value) { return value; }, {"value"});
    plugin.task("map", "", [](const std::map<std::string, int>& values) { return values; },
                {"values"});
    plugin.task("throws", "",
                [](const std::string& message) -> int { throw std::runtime_error(message); });
    plugin.task("throws_int", "", []() -> int { throw 42; });
    plugin.task("retryable", "",
                []() -> int { throw fastqueue::plugin::RetryableError("database busy"); });
    plugin.task("limited", "", nothing, {},
                fastqueue::plugin::TaskDefaults{std::chrono::seconds(90)});
    plugin.task("bad_utf8", "", []() { return std::string("\xff\xfe"); });
    plugin.task("context", "", [](TaskContext& context, int steps) {
        context.log(fastqueue::plugin::LogLevel::info, "starting");
        for (int step = 1; step <= steps; ++step) {
            context.throw_if_cancelled();
            context.report_progress(static_cast<double>(step) / steps);
        }
        return steps;
    });
}

// A host with the tasks above registered through a wrapper Plugin.
struct PluginFixture {
    FakeHost host;
    Plugin plugin{&define_tasks};
    char error[256] = {};
    PluginFixture() {
        REQUIRE(plugin.init(&host.api(), host.registrar(), error, sizeof error) == FQ_OK);
    }
    ~PluginFixture() { plugin.shutdown(); }

    std::string result_of(const std::string& task, const std::string& input) {
        const FakeTask outcome = host.run(task, input);
        INFO("error: " << outcome.error);
        REQUIRE(outcome.status == FQ_OK);
        REQUIRE(outcome.has_result);
        CHECK_FALSE(outcome.has_error);
        return outcome.result;
    }
    std::string error_of(const std::string& task, const std::string& input) {
        const FakeTask outcome = host.run(task, input);
        INFO("result: " << outcome.result);
        CHECK(outcome.status != FQ_OK);
        REQUIRE(outcome.has_error);
        return outcome.error;
    }
};

}  // namespace

TEST_CASE("plugin.hpp: registers each task with its name and description") {
    PluginFixture fixture;
    const auto& tasks = fixture.host.tasks();
    REQUIRE(tasks.count("add") == 1);
    CHECK(tasks.at("add").description == "Adds two numbers");
    CHECK_FALSE(tasks.at("nothing").has_description);
}

TEST_CASE("plugin.hpp: decodes positional arguments and encodes the result") {
    PluginFixture fixture;
    CHECK(fixture.result_of("add_int32", R"({"args": [2, 3]})") == "5");
    CHECK(fixture.result_of("add", R"({"args": [2.5, 1]})") == "3.5");
    CHECK(fixture.result_of("greet", R"({"args": ["ada"]})") == R"("hello ada")");
    CHECK(fixture.result_of("negate", R"({"args": [false]})") == "true");
    CHECK(fixture.result_of("sum", R"({"args": [[1, 2, 3]]})") == "6");
    CHECK(fixture.result_of("map", R"({"args": [{"a": 1}]})") == R"({"a":1})");
}

TEST_CASE("plugin.hpp: binds keyword arguments by parameter name") {
    PluginFixture fixture;
    CHECK(fixture.result_of("add_int32", R"({"kwargs": {"y": 10, "x": 1}})") == "11");
    CHECK(fixture.result_of("add_int32", R"({"args": [1], "kwargs": {"y": 2}})") == "3");
}

TEST_CASE("plugin.hpp: empty input, absent members and null members mean no arguments") {
    PluginFixture fixture;
    CHECK(fixture.result_of("nothing", "") == "null");
    CHECK(fixture.result_of("nothing", " \n") == "null");
    CHECK(fixture.result_of("nothing", "{}") == "null");
    CHECK(fixture.result_of("nothing", R"({"args": null, "kwargs": null})") == "null");
}

TEST_CASE("plugin.hpp: a wrong type names the argument, the expected type and the value") {
    PluginFixture fixture;
    CHECK(fixture.error_of("add", R"({"args": [1, "abc"]})") ==
          R"(argument 2 ('y'): expected a number, got string "abc")");
    CHECK(fixture.error_of("add_positional", R"({"args": [1, "abc"]})") ==
          R"(argument 2: expected a number, got string "abc")");
    CHECK(fixture.error_of("negate", R"({"args": [1]})") ==
          "argument 1 ('value'): expected a boolean, got number 1");
    CHECK(fixture.error_of("greet", R"({"args": [7]})") ==
          "argument 1 ('name'): expected a string, got number 7");
    CHECK(fixture.error_of("sum", R"({"args": [[1, "a"]]})") ==
          R"(argument 1 ('xs'), element [1]: expected an integer, got string "a")");
    CHECK(fixture.error_of("sum", R"({"args": [{"a": 1}]})") ==
          R"(argument 1 ('xs'): expected an array, got object {"a":1})");
    CHECK(fixture.error_of("optional", R"({"args": ["x"]})") ==
          R"(argument 1 ('value'): expected an integer or null, got string "x")");
    CHECK(fixture.error_of("number", R"({"args": [true]})") ==
          "argument 1 ('value'): expected a number, got boolean true");
}

TEST_CASE("plugin.hpp: integers reject fractions and values out of range instead of wrapping") {
    PluginFixture fixture;
    CHECK(fixture.error_of("add_int32", R"({"args": [2.5, 1]})") ==
          "argument 1 ('x'): expected an integer, got number 2.5");
    CHECK(fixture.error_of("add_int32", R"({"args": [1, 5000000000]})") ==
          "argument 2 ('y'): expected an integer in [-2147483648, 2147483647], got number "
          "5000000000");
    CHECK(fixture.error_of("uint8", R"({"args": [-1]})") ==
          "argument 1 ('value'): expected an integer in [0, 255], got number -1");
    CHECK(fixture.error_of("uint8", R"({"args": [256]})") ==
          "argument 1 ('value'): expected an integer in [0, 255], got number 256");
    CHECK(fixture.error_of("int64", R"({"args": [9223372036854775808]})") ==
          "argument 1 ('value'): expected an integer in [-9223372036854775808, "
          "9223372036854775807], got number 9223372036854775808");
    CHECK(fixture.error_of("int64", R"({"args": [1e19]})").find("expected an integer in") !=
          std::string::npos);
    // A float with an integral value is an integer.
    CHECK(fixture.result_of("uint8", R"({"args": [255.0]})") == "255");
    CHECK(fixture.result_of("int64", R"({"args": [-9223372036854775808]})") ==
          "-9223372036854775808");
}

TEST_CASE("plugin.hpp: floating-point parameters accept integers and reject overflow") {
    PluginFixture fixture;
    CHECK(fixture.result_of("add", R"({"args": [2, 3]})") == "5.0");
    CHECK(fixture.error_of("float", R"({"args": [1e300]})") ==
          "argument 1 ('value'): expected a number in the range of float, got number 1e+300");
}

TEST_CASE("plugin.hpp: Number and json parameters keep the value exactly as given") {
    PluginFixture fixture;
    CHECK(fixture.result_of("number", R"({"args": [3]})") == "3");
    CHECK(fixture.result_of("number", R"({"args": [3.25]})") == "3.25");
    CHECK(fixture.result_of("number", R"({"args": [18446744073709551615]})") ==
          "18446744073709551615");
    CHECK(fixture.result_of("echo", R"({"args": [{"a": [1, null, "x"]}]})") ==
          R"({"a":[1,null,"x"]})");
    const std::string long_string(100000, 'q');
    CHECK(fixture.result_of("echo", R"({"args": [")" + long_string + "\"]}") ==
          "\"" + long_string + "\"");
}

TEST_CASE("plugin.hpp: a missing optional argument is nullopt; a missing required one an error") {
    PluginFixture fixture;
    CHECK(fixture.result_of("optional", "{}") == R"("none")");
    CHECK(fixture.result_of("optional", R"({"args": [null]})") == R"("none")");
    CHECK(fixture.result_of("optional", R"({"kwargs": {"value": 4}})") == R"("4")");
    CHECK(fixture.error_of("add", R"({"args": [1]})") ==
          "missing argument 2 ('y'): expected a number");
    CHECK(fixture.error_of("add_positional", "") == "missing argument 1: expected a number");
}

TEST_CASE("plugin.hpp: extra and unknown arguments are errors") {
    PluginFixture fixture;
    CHECK(fixture.error_of("add", R"({"args": [1, 2, 3]})") ==
          "too many arguments: task 'add' takes 2, got 3");
    CHECK(fixture.error_of("add", R"({"args": [1, 2], "kwargs": {"z": 1}})") ==
          "unexpected keyword argument 'z'");
    CHECK(fixture.error_of("add_positional", R"({"kwargs": {"x": 1, "y": 2}})") ==
          "unexpected keyword argument 'x' (task 'add_positional' takes positional arguments "
          "only)");
    CHECK(fixture.error_of("add", R"({"args": [1, 2], "kwargs": {"x": 1}})") ==
          "argument 1 ('x') given both by position and by name");
}

TEST_CASE("plugin.hpp: input that is not a valid task object is a clear error") {
    PluginFixture fixture;
    const std::string not_json = fixture.error_of("add", "{not json");
    CHECK(not_json.rfind("task input is not valid JSON: ", 0) == 0);
    CHECK(not_json.find("[json.exception") == std::string::npos);
    CHECK(fixture.error_of("add", R"({"args": [1e999, 1]})") ==
          "task input is not valid JSON: number overflow parsing '1e999'");
    CHECK(fixture.error_of("add", "[1, 2]") ==
          R"(task input must be a JSON object {"args": [...], "kwargs": {...}}, got array [1,2])");
    CHECK(fixture.error_of("add", R"({"args": 1})") ==
          R"(task input: "args" must be an array, got number 1)");
    CHECK(fixture.error_of("add", R"({"kwargs": [1]})") ==
          R"(task input: "kwargs" must be an object, got array [1])");
    CHECK(fixture.error_of("add", R"({"argz": [1, 2]})") ==
          R"(task input: unknown member "argz" (expected "args" and "kwargs"))");
}

TEST_CASE("plugin.hpp: input nested more than 1024 deep is refused; 1024 deep is echoed") {
    // Writing back, or walking, a value a million arrays deep would overflow
    // the stack of the runtime thread that runs the task.
    PluginFixture fixture;
    const auto nested = [](std::size_t depth) {
        return std::string(depth, '[') + std::string(depth, ']');
    };
    CHECK(fixture.error_of("echo", "{\"args\": [" + nested(1000000) + "]}") ==
          "task input is nested more than 1024 arrays and objects deep");
    // The task object and its "args" array are two of the 1024 levels.
    CHECK(fixture.error_of("echo", "{\"args\": [" + nested(1023) + "]}") ==
          "task input is nested more than 1024 arrays and objects deep");
    CHECK(fixture.result_of("echo", "{\"args\": [" + nested(1022) + "]}") == nested(1022));
}

TEST_CASE("plugin.hpp: error messages are valid UTF-8 even when the input is not") {
    // Found by fuzzing: the parser quoted the invalid input bytes into the
    // message, and a value shown in a message was cut inside a character.
    PluginFixture fixture;
    const std::string not_utf8 = fixture.error_of("greet", "{\"args\": [\"\xff\xfe\"]}");
    CHECK(not_utf8.rfind("task input is not valid JSON: ", 0) == 0);
    CHECK(not_utf8.find('\xff') == std::string::npos);
    CHECK(not_utf8.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
    // The value is shown as its first 60 bytes, `"` and 58 x's, then the
    // first byte of a 2-byte character.
    const std::string cut =
        fixture.error_of("add", "{\"args\": [\"" + std::string(58, 'x') + "\u00e9\u00e9\", 1]}");
    CHECK(cut.find("\xef\xbf\xbd...") != std::string::npos);
    CHECK_NOTHROW(json(cut).dump());  // strict: throws on invalid UTF-8
}

TEST_CASE("plugin.hpp: an exception thrown by a handler becomes the task error") {
    PluginFixture fixture;
    CHECK(fixture.error_of("throws", R"({"args": ["disk full"]})") == "disk full");
    CHECK(fixture.error_of("throws_int", "") ==
          "task threw an exception not derived from std::exception");
    CHECK(fixture.error_of("bad_utf8", "").rfind("cannot encode the result as JSON: ", 0) == 0);
    // The plugin keeps working after a failure.
    CHECK(fixture.result_of("add_int32", R"({"args": [1, 1]})") == "2");
}

TEST_CASE("plugin.hpp: TaskContext reaches the host's progress, log and cancellation") {
    PluginFixture fixture;
    const FakeTask done = fixture.host.run("context", R"({"args": [4]})");
    CHECK(done.status == FQ_OK);
    CHECK(done.result == "4");
    CHECK(done.progress == std::vector<double>{0.25, 0.5, 0.75, 1.0});
    CHECK(done.log_lines == std::vector<std::string>{"starting"});

    const FakeTask cancelled = fixture.host.run("context", R"({"args": [4]})", true);
    CHECK(cancelled.status != FQ_OK);
    CHECK(cancelled.error == "cancelled");
    CHECK(cancelled.progress.empty());
}

TEST_CASE("plugin.hpp: init fails with a message instead of throwing") {
    FakeHost host;
    char error[128] = {};

    SUBCASE("parameter names that do not match the parameters") {
        Plugin plugin([](Registrar& r) { r.task("add", "", add_doubles, {"x"}); });
        CHECK(plugin.init(&host.api(), host.registrar(), error, sizeof error) != FQ_OK);
        CHECK(std::string(error) == "task 'add': 1 parameter names given for 2 parameters");
    }
    SUBCASE("a task name registered twice") {
        Plugin plugin([](Registrar& r) {
            r.task("same", "", nothing);
            r.task("same", "", nothing);
        });
        CHECK(plugin.init(&host.api(), host.registrar(), error, sizeof error) != FQ_OK);
        CHECK(std::string(error) ==
              "cannot register task 'same': a task with this name is already registered");
    }
    SUBCASE("a define function that throws") {
        Plugin plugin([](Registrar&) { throw std::runtime_error("no config file"); });
        CHECK(plugin.init(&host.api(), host.registrar(), error, sizeof error) != FQ_OK);
        CHECK(std::string(error) == "no config file");
    }
    SUBCASE("a host of another ABI major") {
        host.api().abi_major = FQ_PLUGIN_ABI_MAJOR + 1;
        Plugin plugin([](Registrar&) {});
        CHECK(plugin.init(&host.api(), host.registrar(), error, sizeof error) != FQ_OK);
        CHECK(std::string(error).find("host ABI major") == 0);
    }
    SUBCASE("a message longer than the host's buffer is truncated and terminated") {
        Plugin plugin([](Registrar&) { throw std::runtime_error(std::string(500, 'e')); });
        char small[8];
        CHECK(plugin.init(&host.api(), host.registrar(), small, sizeof small) != FQ_OK);
        CHECK(std::string(small) == "eeeeeee");
    }
}

// The macro is what plugins use; this executable is its only user, so its
// entry function is the one defined here.
FASTQUEUE_PLUGIN("wrapped", "2.1.0") { plugin.task("greet", "Greets someone", greet, {"name"}); }

TEST_CASE("plugin.hpp: FASTQUEUE_PLUGIN defines an entry with the current ABI") {
    const fq_plugin_descriptor* descriptor = fastqueue_plugin_entry();
    REQUIRE(descriptor != nullptr);
    CHECK(descriptor->struct_size == sizeof(fq_plugin_descriptor));
    CHECK(descriptor->abi_major == FQ_PLUGIN_ABI_MAJOR);
    CHECK(descriptor->abi_minor == FQ_PLUGIN_ABI_MINOR);
    CHECK(std::string(descriptor->name) == "wrapped");
    CHECK(std::string(descriptor->version) == "2.1.0");

    FakeHost host;
    char error[64] = {};
    REQUIRE(descriptor->init(&host.api(), host.registrar(), error, sizeof error) == FQ_OK);
    CHECK(host.run("greet", R"({"kwargs": {"name": "bo"}})").result == R"("hello bo")");
    REQUIRE(static_cast<bool>(descriptor->shutdown));
    descriptor->shutdown();
}

TEST_CASE("plugin.hpp: RetryableError fails the task with FQ_ERROR_RETRYABLE and its message") {
    PluginFixture fixture;
    const FakeTask outcome = fixture.host.run("retryable", "");
    CHECK(outcome.status == FQ_ERROR_RETRYABLE);
    CHECK(outcome.error == "database busy");
    // Any other exception is a plain failure.
    CHECK(fixture.host.run("throws", R"({"args": ["no"]})").status == FQ_ERROR);
}

TEST_CASE("plugin.hpp: TaskDefaults sets the task's default timeout; none is 0") {
    PluginFixture fixture;
    CHECK(fixture.host.tasks().at("limited").timeout_ms == 90000);
    CHECK(fixture.host.tasks().at("add").timeout_ms == 0);
}

TEST_CASE("plugin.hpp: a default timeout that does not fit the ABI fails init") {
    FakeHost host;
    Plugin plugin{[](Registrar& registrar) {
        registrar.task("too_long", "", nothing, {},
                       fastqueue::plugin::TaskDefaults{std::chrono::hours(24 * 60)});
    }};
    char error[256] = {};
    CHECK(plugin.init(&host.api(), host.registrar(), error, sizeof error) != FQ_OK);
    CHECK(std::string(error).find("default timeout") != std::string::npos);
}

// Unit tests of the example plugin plugins/mytasks: loads the built
// libmytasks.so with dlopen, as the runtime does, and runs its tasks through
// the fake host, checking the results and errors its opening comment promises.
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "fake_host.hpp"

namespace {

using fastqueue::testing::FakeHost;
using fastqueue::testing::FakeTask;

// The loaded plugin, initialised against a fake host.
struct LoadedMytasks {
    void* library = nullptr;
    const fq_plugin_descriptor* descriptor = nullptr;
    FakeHost host;

    LoadedMytasks() {
        const std::string path = std::string(FASTQUEUE_TEST_MODULES_DIR) + "/libmytasks.so";
        library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        REQUIRE_MESSAGE(library != nullptr, dlerror());
        const auto entry =
            reinterpret_cast<fq_plugin_entry_fn>(dlsym(library, FQ_PLUGIN_ENTRY_SYMBOL));
        REQUIRE(static_cast<bool>(entry));
        descriptor = entry();
        char error[256] = {};
        REQUIRE(descriptor->init(&host.api(), host.registrar(), error, sizeof error) == FQ_OK);
    }
    ~LoadedMytasks() {
        descriptor->shutdown();
        dlclose(library);
    }
};

}  // namespace

TEST_CASE("mytasks: registers add, echo, sleep and fail with descriptions") {
    LoadedMytasks mytasks;
    CHECK(std::string(mytasks.descriptor->name) == "mytasks");
    for (const char* name : {"add", "echo", "sleep", "fail"}) {
        INFO(name);
        REQUIRE(mytasks.host.tasks().count(name) == 1);
        CHECK_FALSE(mytasks.host.tasks().at(name).description.empty());
    }
}

TEST_CASE("mytasks: add keeps integers integers and floats floats") {
    LoadedMytasks mytasks;
    CHECK(mytasks.host.run("add", R"({"args": [2, 3]})").result == "5");
    CHECK(mytasks.host.run("add", R"({"args": [2.5, 1]})").result == "3.5");
    CHECK(mytasks.host.run("add", R"({"kwargs": {"x": -7, "y": 2}})").result == "-5");
    CHECK(mytasks.host.run("add", R"({"args": [9223372036854775807, 1]})").result ==
          "9223372036854775808");
}

TEST_CASE("mytasks: add reports overflow and wrong types as task errors") {
    LoadedMytasks mytasks;
    const FakeTask overflow = mytasks.host.run("add", R"({"args": [18446744073709551615, 1]})");
    CHECK(overflow.status != FQ_OK);
    CHECK(overflow.error.find("integer overflow") != std::string::npos);
    const FakeTask float_overflow = mytasks.host.run("add", R"({"args": [1e308, 1e308]})");
    CHECK(float_overflow.status != FQ_OK);
    const FakeTask wrong = mytasks.host.run("add", R"({"args": [1, "abc"]})");
    CHECK(wrong.error == R"(argument 2 ('y'): expected a number, got string "abc")");
}

TEST_CASE("mytasks: echo returns any value unchanged") {
    LoadedMytasks mytasks;
    CHECK(mytasks.host.run("echo", R"({"args": [{"k": [1, 2.5, null]}]})").result ==
          R"({"k":[1,2.5,null]})");
    const std::string big(1 << 20, 'z');
    CHECK(mytasks.host.run("echo", R"({"args": [")" + big + "\"]}").result == "\"" + big + "\"");
}

TEST_CASE("mytasks: fail ends as an error carrying its message") {
    LoadedMytasks mytasks;
    const FakeTask failed = mytasks.host.run("fail", R"({"args": ["boom: disk full"]})");
    CHECK(failed.status != FQ_OK);
    CHECK(failed.error == "boom: disk full");
}

TEST_CASE("mytasks: sleep returns its argument and refuses bad durations") {
    LoadedMytasks mytasks;
    const auto start = std::chrono::steady_clock::now();
    CHECK(mytasks.host.run("sleep", R"({"args": [0.05]})").result == "0.05");
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
    CHECK(mytasks.host.run("sleep", R"({"args": [0]})").result == "0");
    for (const char* input : {R"({"args": [-1]})", R"({"args": [1e9]})"}) {
        INFO(input);
        const FakeTask refused = mytasks.host.run("sleep", input);
        CHECK(refused.status != FQ_OK);
        CHECK(refused.error.find("seconds") != std::string::npos);
    }
}

TEST_CASE("mytasks: a cancelled sleep ends at once with the error 'cancelled'") {
    LoadedMytasks mytasks;
    const auto start = std::chrono::steady_clock::now();
    const FakeTask cancelled = mytasks.host.run("sleep", R"({"args": [30]})", true);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    CHECK(cancelled.status != FQ_OK);
    CHECK(cancelled.error == "cancelled");
}

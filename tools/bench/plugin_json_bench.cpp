// plugin_json_bench.cpp -- fastqueue-plugin-json-bench: what the C++ plugin
// wrapper's JSON reading and writing (plugin-sdk/include/fastqueue/
// plugin_json.hpp) costs against nlohmann's own json::parse and dump(), for
// the task input fastqueue-bench sends, {"args":["<text>"],"kwargs":{}}, with
// <text> of each payload size. Reading is the whole input; writing is the
// argument, as `echo` writes its result. In-process, one thread, no runtime
// (docs/benchmarks.md, "Plugin JSON").
//
// Every measurement first checks that both ways give the same value and the
// same text, and exits 1 if they do not.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fastqueue/plugin_json.hpp>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
    std::vector<std::size_t> payload_sizes{32, 1024, 65536, 1048576};
    std::uint64_t iterations = 2000;
    double max_seconds = 10;
    bool json = false;
};

struct Measurement {
    std::size_t payload_bytes = 0;
    double nlohmann_parse_us = 0;
    double wrapper_parse_us = 0;
    double nlohmann_dump_us = 0;
    double wrapper_dump_us = 0;
};

// Where each call's result goes, so that no call is optimised away.
volatile std::size_t g_sink = 0;

// Mean microseconds per call of `call`, over up to `iterations` calls or
// until `max_seconds` have passed (checked every 16 calls).
double mean_us(const std::function<std::size_t()>& call, std::uint64_t iterations,
               double max_seconds) {
    const auto started = Clock::now();
    const auto deadline = started + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(max_seconds));
    std::uint64_t done = 0;
    for (; done < iterations; ++done) {
        if (done % 16 == 0 && Clock::now() >= deadline) break;
        g_sink = call();
    }
    const double elapsed =
        std::chrono::duration<double, std::micro>(Clock::now() - started).count();
    return done == 0 ? 0 : elapsed / double(done);
}

Measurement measure(std::size_t payload_bytes, const Options& options) {
    // The text fastqueue-bench sends: the task's index, ':', then 'x' up to
    // the payload size.
    const std::string prefix = "0:";
    const std::string text = prefix + std::string(payload_bytes > 2 ? payload_bytes - 2 : 0, 'x');
    const std::string input = R"({"args":[")" + text + R"("],"kwargs":{}})";

    const json expected = json::parse(input);
    const json parsed = fastqueue::plugin::detail::parse_json(input.data(), input.size());
    const json& argument = expected["args"][0];
    if (parsed != expected || fastqueue::plugin::detail::dump_json(argument) != argument.dump()) {
        std::cerr << "fastqueue-plugin-json-bench: the wrapper and nlohmann disagree at "
                  << payload_bytes << " bytes (a bug)\n";
        std::exit(1);
    }

    Measurement result;
    result.payload_bytes = payload_bytes;
    const auto run = [&](const std::function<std::size_t()>& call) {
        return mean_us(call, options.iterations, options.max_seconds);
    };
    result.nlohmann_parse_us = run([&] { return json::parse(input).size(); });
    result.wrapper_parse_us = run(
        [&] { return fastqueue::plugin::detail::parse_json(input.data(), input.size()).size(); });
    result.nlohmann_dump_us = run([&] { return argument.dump().size(); });
    result.wrapper_dump_us =
        run([&] { return fastqueue::plugin::detail::dump_json(argument).size(); });
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{
        "fastqueue-plugin-json-bench: the plugin wrapper's JSON reading and writing against "
        "nlohmann's"};
    app.add_option("--payload-sizes", options.payload_sizes, "Sizes of the string argument, bytes")
        ->delimiter(',')
        ->check(CLI::Range(std::size_t{0}, std::size_t{64} << 20));
    app.add_option("--iterations", options.iterations, "Calls per figure")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
    app.add_option("--max-seconds", options.max_seconds, "Bound on each figure's calls, in seconds")
        ->check(CLI::Range(0.01, 3600.0));
    app.add_flag("--json", options.json, "Print one JSON object instead of the table");
    CLI11_PARSE(app, argc, argv);

    std::vector<Measurement> results;
    for (const std::size_t size : options.payload_sizes) results.push_back(measure(size, options));

    if (options.json) {
        json runs = json::array();
        for (const auto& r : results) {
            runs.push_back({{"payload_bytes", r.payload_bytes},
                            {"nlohmann_parse_us", r.nlohmann_parse_us},
                            {"wrapper_parse_us", r.wrapper_parse_us},
                            {"nlohmann_dump_us", r.nlohmann_dump_us},
                            {"wrapper_dump_us", r.wrapper_dump_us}});
        }
        std::cout << json{{"runs", runs}}.dump(2) << "\n";
        return 0;
    }
    std::cout << "  payload B   parse us: nlohmann   wrapper   dump us: nlohmann   wrapper\n";
    for (const auto& r : results) {
        std::printf("  %9zu   %18.2f %9.2f   %17.2f %9.2f\n", r.payload_bytes, r.nlohmann_parse_us,
                    r.wrapper_parse_us, r.nlohmann_dump_us, r.wrapper_dump_us);
    }
    return 0;
}

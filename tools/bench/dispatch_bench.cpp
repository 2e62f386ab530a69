// dispatch_bench.cpp -- fastqueue-dispatch-bench: how the control plane's
// dispatch decision (SubworkerPool: pick the least-loaded subworker that can
// run the task, record the dispatch, and later its end) costs as the fleet
// grows. It runs the pool in-process, with no sockets and no other process,
// so the figure is the decision alone (docs/benchmarks.md, "Dispatch
// decision").
//
// For each fleet size N it registers N subworkers (capacity 2, prefetch 2)
// and keeps N tasks in flight: each decision picks a subworker for a new
// task, assigns it there, and ends the oldest task in flight. Two fleets per
// size: every subworker registered the task, or only one in eight did (the
// rest registered another task name), which is the case where pick() must
// skip subworkers that cannot run the task.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "control_plane/subworker_pool.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::vector<std::size_t> fleet_sizes{2, 8, 64, 512, 4096};
    std::uint64_t decisions = 1'000'000;
    double max_seconds = 60;
    bool json = false;
};

struct Measurement {
    std::size_t fleet_size = 0;
    std::size_t capable = 0;  // subworkers that registered the task
    std::uint64_t decisions = 0;
    double ns_per_decision = 0;
};

fastqueue::SubworkerPool make_pool(std::size_t fleet_size, std::size_t capable_every) {
    fastqueue::SubworkerPool pool;
    const auto now = Clock::now();
    for (std::size_t i = 0; i < fleet_size; ++i) {
        fastqueue::protocol::Register registration;
        registration.worker_id = "sw" + std::to_string(i);
        registration.address = "tcp://127.0.0.1:" + std::to_string(20000 + 4 * i);
        registration.capacity = 2;
        registration.prefetch = 2;
        registration.task_names = {i % capable_every == 0 ? "echo" : "other"};
        pool.upsert(std::move(registration), zmq::message_t(), now);
    }
    return pool;
}

// Runs up to `decisions` decisions or until `deadline`; returns how many ran
// and how long they took.
Measurement measure(std::size_t fleet_size, std::size_t capable_every, std::uint64_t decisions,
                    Clock::time_point deadline) {
    fastqueue::SubworkerPool pool = make_pool(fleet_size, capable_every);
    const std::size_t capable = (fleet_size + capable_every - 1) / capable_every;
    // Task ids are made before timing: the decision is what is measured.
    const std::size_t in_flight = capable;  // well under the fleet's room
    std::vector<std::string> ids(in_flight + 1);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = "task-" + std::to_string(i);
    std::deque<std::pair<fastqueue::SubworkerEntry*, std::size_t>> running;

    const std::string task_name = "echo";
    std::size_t next_id = 0;
    std::uint64_t done = 0;
    const auto started = Clock::now();
    for (; done < decisions; ++done) {
        if (done % 4096 == 0 && Clock::now() >= deadline) break;
        fastqueue::SubworkerEntry* target = pool.pick(task_name);
        if (target == nullptr) {
            std::cerr << "fastqueue-dispatch-bench: no subworker had room (a bug)\n";
            std::exit(1);
        }
        pool.assign(*target, ids[next_id]);
        running.emplace_back(target, next_id);
        next_id = (next_id + 1) % ids.size();
        if (running.size() >= in_flight) {
            auto [entry, id] = running.front();
            running.pop_front();
            pool.unassign(*entry, ids[id]);
        }
    }
    const auto elapsed = std::chrono::duration<double, std::nano>(Clock::now() - started).count();
    return Measurement{fleet_size, capable, done, done == 0 ? 0 : elapsed / double(done)};
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{"fastqueue-dispatch-bench: the cost of one dispatch decision as the fleet grows"};
    app.add_option("--fleet-sizes", options.fleet_sizes, "Numbers of registered subworkers")
        ->delimiter(',')
        ->check(CLI::Range(std::size_t{1}, std::size_t{65536}));
    app.add_option("--decisions", options.decisions, "Decisions per fleet")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
    app.add_option("--max-seconds", options.max_seconds, "Bound on each fleet's run, in seconds")
        ->check(CLI::Range(0.1, 3600.0));
    app.add_flag("--json", options.json, "Print one JSON object instead of the table");
    CLI11_PARSE(app, argc, argv);

    std::vector<Measurement> results;
    for (const std::size_t fleet_size : options.fleet_sizes) {
        for (const std::size_t capable_every : {std::size_t{1}, std::size_t{8}}) {
            const auto deadline =
                Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(options.max_seconds));
            results.push_back(measure(fleet_size, capable_every, options.decisions, deadline));
        }
    }

    if (options.json) {
        nlohmann::json runs = nlohmann::json::array();
        for (const auto& result : results) {
            runs.push_back({{"fleet_size", result.fleet_size},
                            {"capable", result.capable},
                            {"decisions", result.decisions},
                            {"ns_per_decision", result.ns_per_decision}});
        }
        std::cout << nlohmann::json{{"runs", runs}}.dump(2) << "\n";
        return 0;
    }
    std::cout << "  subworkers   capable   decisions   ns/decision\n";
    for (const auto& result : results) {
        std::printf("  %10zu %9zu %11llu %13.1f\n", result.fleet_size, result.capable,
                    static_cast<unsigned long long>(result.decisions), result.ns_per_decision);
    }
    return 0;
}

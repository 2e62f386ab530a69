// concurrency_test.cpp -- many clients at once against one control plane.
// Every reply carries its task id, so each client must get exactly the
// results of its own tasks: threads with one fastqueue::Client each, waiting
// or pipelining, and separate `fastqueue submit` processes.
#include <doctest/doctest.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness/control_plane_process.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

constexpr int kThreads = 8;
constexpr int kTasksPerThread = 25;

// A value no other task of the test sends.
nlohmann::json distinct_value(int thread, int sequence) {
    return {{"thread", thread},
            {"sequence", sequence},
            {"text", "t" + std::to_string(thread) + "-s" + std::to_string(sequence)}};
}

std::string json_echo_payload(const nlohmann::json& value) {
    return Client::make_payload(nlohmann::json::array({value}).dump(), "{}");
}

// What one thread saw; checked on the test thread (doctest assertions are
// not made from worker threads).
struct ThreadReport {
    std::vector<std::string> mismatches;
    std::vector<std::string> task_ids;
    std::string exception;
};

// Every thread ran all its tasks without an exception or a wrong answer, and
// no two tasks share an id.
void check_reports(const std::vector<ThreadReport>& reports) {
    std::set<std::string> all_ids;
    for (std::size_t t = 0; t < reports.size(); ++t) {
        INFO("thread " << t);
        CHECK(reports[t].exception.empty());
        CHECK(join(reports[t].mismatches).empty());
        CHECK(reports[t].task_ids.size() == static_cast<std::size_t>(kTasksPerThread));
        all_ids.insert(reports[t].task_ids.begin(), reports[t].task_ids.end());
    }
    CHECK(all_ids.size() == static_cast<std::size_t>(kThreads * kTasksPerThread));
}

}  // namespace

TEST_CASE("concurrency: many clients waiting at once each get exactly their own results") {
    ControlPlaneProcess control_plane({"--concurrency", "4"});
    std::vector<ThreadReport> reports(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            ThreadReport& report = reports[t];
            try {
                Client client(control_plane.client_options(30s));
                const auto priority = static_cast<Priority>(t % kPriorityCount);
                for (int i = 0; i < kTasksPerThread; ++i) {
                    const auto expected = distinct_value(t, i);
                    const auto record =
                        client.submit_and_wait("echo", json_echo_payload(expected), priority);
                    report.task_ids.push_back(record.task_id);
                    if (record.state != TaskState::success ||
                        nlohmann::json::parse(record.result, nullptr, false) != expected ||
                        record.task_name != "echo" || record.priority != priority) {
                        report.mismatches.push_back("sent " + expected.dump() + ", got state " +
                                                    std::string(to_string(record.state)) +
                                                    " result " + record.result + " error " +
                                                    record.error);
                    }
                }
            } catch (const std::exception& error) {
                report.exception = error.what();
            }
        });
    }
    for (auto& thread : threads) thread.join();

    check_reports(reports);
}

TEST_CASE(
    "concurrency: clients that submit many tasks before reading any get each result under its own "
    "id") {
    ControlPlaneProcess control_plane({"--concurrency", "4"});
    std::vector<ThreadReport> reports(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            ThreadReport& report = reports[t];
            try {
                Client client(control_plane.client_options(30s));
                std::vector<nlohmann::json> sent;
                for (int i = 0; i < kTasksPerThread; ++i) {
                    sent.push_back(distinct_value(t, i));
                    report.task_ids.push_back(
                        client.submit("echo", json_echo_payload(sent.back())));
                }
                for (int i = 0; i < kTasksPerThread; ++i) {
                    std::optional<TaskRecord> record;
                    poll_until(
                        [&] {
                            record = client.get(report.task_ids[i]);
                            return record && is_finished(record->state);
                        },
                        30s);
                    if (!record || record->state != TaskState::success ||
                        nlohmann::json::parse(record->result, nullptr, false) != sent[i] ||
                        record->task_id != report.task_ids[i]) {
                        report.mismatches.push_back(
                            "task " + report.task_ids[i] + " sent " + sent[i].dump() +
                            (record ? " got " + record->result : " never finished"));
                    }
                }
            } catch (const std::exception& error) {
                report.exception = error.what();
            }
        });
    }
    for (auto& thread : threads) thread.join();

    check_reports(reports);
}

TEST_CASE("concurrency: separate submit processes running at once each print their own result") {
    ControlPlaneProcess control_plane({"--concurrency", "2"});
    constexpr int kProcesses = 8;
    std::vector<std::unique_ptr<Process>> processes;
    for (int p = 0; p < kProcesses; ++p) {
        processes.push_back(std::make_unique<Process>(
            std::vector<std::string>{fastqueue_binary(), "submit", "--task-name", "echo", "--args",
                                     "process-" + std::to_string(p), "--control-plane-address",
                                     control_plane.address(), "--timeout", "30"}));
    }
    for (int p = 0; p < kProcesses; ++p) {
        const auto exit_code = processes[p]->wait_for_exit(60s);
        INFO("process " << p << " stderr: " << processes[p]->stderr_text());
        REQUIRE(exit_code);
        CHECK(*exit_code == 0);
        CHECK(parse_json(processes[p]->stdout_text()) ==
              nlohmann::json("process-" + std::to_string(p)));
    }
}

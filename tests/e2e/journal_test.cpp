// journal_test.cpp -- a control plane with --journal-dir keeps what it
// acknowledged across a SIGKILL: queued tasks run after the restart, finished
// results stay queryable (and a resubmission of a finished id is answered
// from them, not run again), cancelled tasks stay cancelled, scheduled tasks
// keep their time. One control plane owns a journal; a torn end is cut off
// and the start goes on; damage before the end stops the start, naming file
// and offset, until `fastqueue journal repair`; a journal that cannot be
// written refuses submissions as busy and keeps serving the rest.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/uuid.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/free_ports.hpp"
#include "harness/subworker_process.hpp"
#include "harness/wire_client.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

// A directory for one test's journal, removed afterwards.
class TempDir {
public:
    TempDir() {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("fastqueue_journal_e2e_" + std::to_string(::getpid()) + "_" +
                 std::to_string(counter++));
        std::filesystem::remove_all(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string journal() const { return (path_ / "journal").string(); }

private:
    std::filesystem::path path_;
};

// Flags of a control plane on `journal` that runs nothing itself, so that
// tasks stay queued.
std::vector<std::string> journal_flags(const std::string& journal,
                                       const std::string& concurrency = "0") {
    return {"--journal-dir", journal, "--concurrency", concurrency, "--isolation", "thread"};
}

void kill_hard(ControlPlaneProcess& control_plane) {
    control_plane.process().expect_exit_code(128 + SIGKILL);
    control_plane.process().send_signal(SIGKILL);
    REQUIRE(control_plane.process().wait_for_exit(10s).has_value());
}

std::vector<std::filesystem::path> segment_files(const std::string& journal) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(journal)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("journal-", 0) == 0 && name.ends_with(".log")) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

int count_lines_with(const std::string& text, const std::string& needle) {
    int count = 0;
    for (const auto& line : non_empty_lines(text)) count += contains(line, needle) ? 1 : 0;
    return count;
}

// Where `program` is on PATH (util-linux's prlimit), or "" when nowhere.
std::string find_on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string directories = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= directories.size()) {
        std::size_t end = directories.find(':', start);
        if (end == std::string::npos) end = directories.size();
        const auto candidate =
            std::filesystem::path(directories.substr(start, end - start)) / program;
        if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        start = end + 1;
    }
    return "";
}

// A payload of about `bytes` bytes for echo.
std::string big_payload(std::size_t bytes) { return echo_payload(std::string(bytes, 'x')); }

}  // namespace

TEST_CASE(
    "journal: acknowledged tasks, results and cancels survive a SIGKILL of the control plane") {
    TempDir dir;
    std::vector<std::string> queued;
    std::string finished_id, cancelled_id, scheduled_id;
    TaskRecord finished_before;
    std::optional<TaskRecord> scheduled_before;
    {
        // First life: runs tasks itself, so one can finish.
        ControlPlaneProcess first(journal_flags(dir.journal(), "1"));
        Client client(first.client_options());
        finished_before = client.submit_and_wait("echo", echo_payload("kept"));
        REQUIRE(finished_before.state == TaskState::success);
        finished_id = finished_before.task_id;
        TaskOptions later;
        later.countdown = 3600s;
        scheduled_id = client.submit("echo", echo_payload("in an hour"), Priority::normal, later);
        scheduled_before = client.get(scheduled_id);
        REQUIRE(scheduled_before);
        REQUIRE(scheduled_before->state == TaskState::scheduled);
        cancelled_id = client.submit("echo", echo_payload("cancelled"), Priority::normal, later);
        REQUIRE(client.cancel(cancelled_id) == CancelResult::cancelled);
        kill_hard(first);
    }
    {
        // Second life: runs nothing, so that queued tasks stay queued.
        ControlPlaneProcess second(journal_flags(dir.journal()));
        Client client(second.client_options());
        for (int i = 0; i < 5; ++i) {
            queued.push_back(client.submit("echo", echo_payload("queued " + std::to_string(i))));
        }
        kill_hard(second);
        const std::string log = second.process().stderr_text();
        CHECK(contains(log, "recovered 0 queued, 1 scheduled, 0 running (requeued), 2 finished"));
    }
    ControlPlaneProcess third(journal_flags(dir.journal(), "1"));
    Client client(third.client_options());
    CHECK(contains(third.process().stderr_text(),
                   "recovered 5 queued, 1 scheduled, 0 running (requeued), 2 finished"));
    for (const auto& id : queued) {
        CAPTURE(id);
        const auto record = wait_for_finished_record(third.client_options(), id, 20s);
        REQUIRE(record);
        CHECK(record->state == TaskState::success);
        CHECK(record->attempts == 1);
    }
    const auto finished_after = client.get(finished_id);
    REQUIRE(finished_after);
    CHECK(finished_after->state == TaskState::success);
    CHECK(finished_after->result == finished_before.result);
    CHECK(finished_after->finished_at == finished_before.finished_at);

    const auto cancelled_after = client.get(cancelled_id);
    REQUIRE(cancelled_after);
    CHECK(cancelled_after->state == TaskState::cancelled);

    const auto scheduled_after = client.get(scheduled_id);
    REQUIRE(scheduled_after);
    CHECK(scheduled_after->state == TaskState::scheduled);
    CHECK(scheduled_after->scheduled_for == scheduled_before->scheduled_for);
}

TEST_CASE("journal: a resubmitted finished id is answered with its old result, not run again") {
    TempDir dir;
    const std::string task_id = generate_uuid();
    TaskRecord first_record;
    {
        ControlPlaneProcess first(journal_flags(dir.journal(), "1"));
        WireClient wire(first.address());
        wire.send_raw(submit_frames(task_id, "echo", /*wants_result=*/true, echo_payload("once")));
        REQUIRE(wire.receive(10s));  // ACK
        const auto result = wire.receive(10s);
        REQUIRE(result);
        REQUIRE(result->message);
        REQUIRE(std::holds_alternative<protocol::Result>(*result->message));
        first_record = std::get<protocol::Result>(*result->message).record;
        REQUIRE(first_record.state == TaskState::success);
        kill_hard(first);
    }
    ControlPlaneProcess second(journal_flags(dir.journal(), "1"));
    WireClient wire(second.address());
    wire.send_raw(submit_frames(task_id, "echo", /*wants_result=*/true, echo_payload("twice")));
    const auto ack = wire.receive(10s);
    REQUIRE(ack);
    REQUIRE(ack->message);
    CHECK(std::holds_alternative<protocol::Ack>(*ack->message));
    const auto result = wire.receive(10s);
    REQUIRE(result);
    REQUIRE(result->message);
    REQUIRE(std::holds_alternative<protocol::Result>(*result->message));
    const TaskRecord& again = std::get<protocol::Result>(*result->message).record;
    CHECK(again.result == first_record.result);
    CHECK(again.started_at == first_record.started_at);
    CHECK(again.attempts == 1);
}

TEST_CASE("journal: a second control plane on a journal in use exits 1 naming the holder") {
    TempDir dir;
    ControlPlaneProcess owner(journal_flags(dir.journal()));
    const auto second = run_control_plane_to_exit(journal_flags(dir.journal()));
    INFO(second.run.describe());
    CHECK(second.run.exit_code == 1);
    CHECK(contains(second.run.stderr_text, "journal " + dir.journal() + " is in use by pid " +
                                               std::to_string(owner.process().pid())));
    // The owner goes on serving.
    Client client(owner.client_options());
    CHECK_FALSE(client.get(generate_uuid()).has_value());
}

TEST_CASE("journal: garbage at the end of the newest segment is cut off with one line") {
    TempDir dir;
    std::string task_id;
    {
        ControlPlaneProcess first(journal_flags(dir.journal()));
        task_id = Client(first.client_options()).submit("echo", echo_payload("before the tear"));
        kill_hard(first);
    }
    const auto files = segment_files(dir.journal());
    REQUIRE_FALSE(files.empty());
    {
        std::ofstream newest(files.back(), std::ios::binary | std::ios::app);
        newest << std::string("\x40\x00\x00\x00torn record", 15);
    }
    ControlPlaneProcess second(journal_flags(dir.journal()));
    CHECK(count_lines_with(second.process().stderr_text(), "torn") == 1);
    const auto record = Client(second.client_options()).get(task_id);
    REQUIRE(record);
    CHECK(record->state == TaskState::queued);
}

TEST_CASE("journal: damage before the end stops the start until `fastqueue journal repair`") {
    TempDir dir;
    std::vector<std::string> ids;
    {
        auto flags = journal_flags(dir.journal());
        flags.insert(flags.end(), {"--journal-segment-bytes", "1048576"});
        ControlPlaneProcess first(flags);
        Client client(first.client_options());
        // About 1.5 MiB of payloads: two segments.
        for (int i = 0; i < 24; ++i) ids.push_back(client.submit("echo", big_payload(64 * 1024)));
        kill_hard(first);
    }
    const auto files = segment_files(dir.journal());
    REQUIRE(files.size() >= 2);
    const std::uint64_t flipped_at = 16 + 8 + 1000;  // inside the first record's payload
    {
        std::fstream older(files.front(), std::ios::binary | std::ios::in | std::ios::out);
        older.seekp(static_cast<std::streamoff>(flipped_at));
        older.put('!');
    }
    const auto refused = run_control_plane_to_exit(journal_flags(dir.journal()));
    INFO(refused.run.describe());
    CHECK(refused.run.exit_code == 1);
    CHECK(contains(refused.run.stderr_text, files.front().filename().string()));
    CHECK(contains(refused.run.stderr_text, "fastqueue journal repair"));

    const auto repair = run_fastqueue({"journal", "repair", dir.journal()});
    INFO(repair.describe());
    CHECK(repair.exit_code == 0);

    ControlPlaneProcess repaired(journal_flags(dir.journal()));
    Client client(repaired.client_options());
    int kept = 0;
    for (const auto& id : ids) kept += client.get(id).has_value() ? 1 : 0;
    // Only the damaged record's task is lost.
    CHECK(kept == static_cast<int>(ids.size()) - 1);
}

TEST_CASE("journal: when it cannot write, submissions are refused as busy and nothing else is") {
    TempDir dir;
    const std::string prlimit = find_on_path("prlimit");
    REQUIRE_MESSAGE(!prlimit.empty(), "prlimit (util-linux) is needed");
    const int base_port = find_free_port_block(ControlPlaneProcess::kPortCount);
    std::vector<std::string> argv{prlimit, "--fsize=262144", fastqueue_binary(), "control-plane"};
    for (const auto& flag : control_plane_port_flags(base_port)) argv.push_back(flag);
    for (const auto& flag : journal_flags(dir.journal())) argv.push_back(flag);
    for (const auto& flag : std::vector<std::string>{"--modules-dir", test_modules_dir(),
                                                     "--task-modules", "mytasks"}) {
        argv.push_back(flag);
    }
    Process control_plane(argv);
    const std::string address = "tcp://127.0.0.1:" + std::to_string(base_port);
    REQUIRE(wait_until_serving(address, control_plane, 15s));

    // 32 KiB each: the 256 KiB file size limit is reached within 8.
    std::vector<std::string> accepted;
    RunResult refused;
    for (int i = 0; i < 16; ++i) {
        RunResult run = run_fastqueue({"submit", "--control-plane-address", address, "--task-name",
                                       "echo", "--args", std::string(32 * 1024, 'y'),
                                       "--non-blocking", "--timeout", "10"});
        if (run.exit_code == 0) {
            accepted.push_back(trim(run.stdout_text));
            continue;
        }
        refused = run;
        break;
    }
    INFO(refused.describe());
    CHECK(refused.exit_code == 5);
    CHECK(contains(refused.stderr_text + refused.stdout_text, "busy: journal:"));
    REQUIRE_FALSE(accepted.empty());

    // Every task acknowledged before is still there, and queries are answered.
    ClientOptions options;
    options.control_plane_address = address;
    Client client(options);
    for (const auto& id : accepted) {
        const auto record = client.get(id);
        REQUIRE(record);
        CHECK(record->state == TaskState::queued);
    }
    CHECK(control_plane.is_running());
}

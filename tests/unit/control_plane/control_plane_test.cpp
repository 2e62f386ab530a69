// control_plane_test.cpp -- a whole ControlPlane inside the test process, on
// free 127.0.0.1 ports, with a Client against it: what a user sees of
// submissions, results, queries, cancels and a stop, without a process.
#include "control_plane/control_plane.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "fastqueue/client.hpp"
#include "plugins/task_registry.hpp"
#include "subworker/subworker.hpp"

namespace fastqueue {
namespace {

using namespace std::chrono_literals;

// Tells the blocking handler to return; raised by the test body.
std::atomic<bool> release_blocked{false};

int succeeds(fq_task_context*, const std::uint8_t*, std::size_t, void*) { return FQ_OK; }

int fails(fq_task_context*, const std::uint8_t*, std::size_t, void*) { return FQ_ERROR; }

// Runs until released (bounded: at most 30 s).
int blocks(fq_task_context*, const std::uint8_t*, std::size_t, void*) {
    for (int i = 0; i < 3000 && !release_blocked.load(); ++i) {
        std::this_thread::sleep_for(10ms);
    }
    return FQ_OK;
}

void add_task(TaskRegistry& registry, std::string name, fq_task_handler handler) {
    RegisteredTask task;
    task.name = std::move(name);
    task.plugin_name = "control-plane-test";
    task.handler = handler;
    REQUIRE(registry.add(std::move(task)));
}

// A control plane on random free loopback ports (a bind that fails, the
// port being taken, is retried elsewhere), with one handler thread unless
// told otherwise.
struct InProcessControlPlane {
    explicit InProcessControlPlane(const TaskRegistry& registry, std::size_t concurrency = 1) {
        std::mt19937 random(std::random_device{}());
        // Below Linux's ephemeral range, so no outgoing connection takes them.
        std::uniform_int_distribution<int> ports(20000, 32000);
        for (int attempt = 0; attempt < 50 && !control_plane; ++attempt) {
            ControlPlaneSettings settings;
            settings.base_address = "tcp://127.0.0.1:" + std::to_string(ports(random));
            settings.discovery_address = "tcp://127.0.0.1:" + std::to_string(ports(random));
            settings.engine.concurrency = concurrency;
            // Its handlers are registered in-process, not loaded from plugins.
            settings.engine.isolation = Isolation::thread;
            settings.engine.shutdown_grace_seconds = 1;
            try {
                control_plane = std::make_unique<ControlPlane>(settings, registry);
                base_address = settings.base_address;
            } catch (const std::runtime_error&) {
            }
        }
        REQUIRE(control_plane);
    }

    Client client() const { return Client(ClientOptions{base_address, 10s, 1000ms}); }

    std::unique_ptr<ControlPlane> control_plane;
    std::string base_address;
};

// Polls until the task's record is in `state` (at most 10 s).
std::optional<TaskRecord> wait_for_state(Client& client, const std::string& task_id,
                                         TaskState state) {
    std::optional<TaskRecord> record;
    for (int i = 0; i < 1000; ++i) {
        record = client.get(task_id);
        if (record && record->state == state) return record;
        std::this_thread::sleep_for(10ms);
    }
    return record;
}

TEST_CASE("ControlPlane in-process: a client's tasks run, end and can be queried") {
    TaskRegistry registry;
    add_task(registry, "succeeds", succeeds);
    add_task(registry, "fails", fails);
    InProcessControlPlane cluster(registry);
    Client client = cluster.client();

    const TaskRecord done = client.submit_and_wait("succeeds", "{}", Priority::high);
    CHECK(done.state == TaskState::success);
    CHECK(done.task_name == "succeeds");
    CHECK(done.priority == Priority::high);
    CHECK(done.attempts == 1);

    const TaskRecord failed = client.submit_and_wait("fails", "{}");
    CHECK(failed.state == TaskState::failure);
    CHECK_FALSE(failed.error.empty());

    const TaskRecord unknown = client.submit_and_wait("nobody-runs-this", "{}");
    CHECK(unknown.state == TaskState::failure);
    CHECK(unknown.error == "unknown task 'nobody-runs-this'");

    // Finished tasks are answered from the result cache.
    const auto record = client.get(done.task_id);
    REQUIRE(record);
    CHECK(record->state == TaskState::success);
    CHECK(client.cancel(done.task_id) == CancelResult::finished);
    const std::string never_submitted = "00000000-0000-4000-8000-000000000000";
    CHECK_FALSE(client.get(never_submitted));
    CHECK(client.cancel(never_submitted) == CancelResult::not_found);

    // WORKERS lists the control plane itself beside its (no) subworkers.
    const SubworkerPoolStatus workers = client.get_subworker_status();
    CHECK(workers.total_subworkers == 0);
    REQUIRE(workers.control_plane.has_value());
    CHECK(workers.control_plane->worker_id == "control-plane");
    CHECK(workers.control_plane->concurrency == 1);
    CHECK(workers.control_plane->task_process_restarts == 0);

    const ControlPlaneStats stats = cluster.control_plane->stats();
    CHECK(stats.tasks_accepted == 3);
    CHECK(stats.tasks_finished == 3);
    CHECK(stats.messages_rejected == 0);

    cluster.control_plane->request_stop();
    cluster.control_plane->wait();
    CHECK(cluster.control_plane->is_stopped());
    CHECK_FALSE(cluster.control_plane->has_abandoned_handlers());
}

TEST_CASE("ControlPlane in-process: a queued task is cancelled, a scheduled one waits") {
    release_blocked = false;
    TaskRegistry registry;
    add_task(registry, "blocks", blocks);
    add_task(registry, "succeeds", succeeds);
    InProcessControlPlane cluster(registry);
    Client client = cluster.client();

    // The only handler thread is taken; the next task of a lower priority
    // waits in the queue (or the engine's window), still queued.
    const std::string running = client.submit("blocks", "{}", Priority::critical);
    REQUIRE(wait_for_state(client, running, TaskState::running)->state == TaskState::running);
    const std::string waiting = client.submit("succeeds", "{}", Priority::low);
    CHECK(client.get(waiting)->state == TaskState::queued);
    CHECK(client.cancel(waiting) == CancelResult::cancelled);
    CHECK(client.get(waiting)->state == TaskState::cancelled);

    TaskOptions later;
    later.countdown = 60s;
    const std::string scheduled = client.submit("succeeds", "{}", Priority::normal, later);
    const auto held = client.get(scheduled);
    REQUIRE(held);
    CHECK(held->state == TaskState::scheduled);
    CHECK(held->scheduled_for > held->submitted_at);
    CHECK(client.cancel(scheduled) == CancelResult::cancelled);

    release_blocked = true;
    CHECK(wait_for_state(client, running, TaskState::success)->state == TaskState::success);
}

// A subworker of `control_plane` on random free loopback ports, with one
// handler thread.
std::unique_ptr<Subworker> start_in_process_subworker(const InProcessControlPlane& control_plane,
                                                      const std::string& worker_id,
                                                      const TaskRegistry& registry) {
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> ports(20000, 32000);
    for (int attempt = 0; attempt < 50; ++attempt) {
        SubworkerSettings settings;
        settings.worker_id = worker_id;
        settings.control_plane_address = control_plane.base_address;
        settings.base_address = "tcp://127.0.0.1:" + std::to_string(ports(random));
        settings.engine.concurrency = 1;
        // Its handlers are registered in-process, not loaded from plugins.
        settings.engine.isolation = Isolation::thread;
        settings.engine.shutdown_grace_seconds = 1;
        try {
            return std::make_unique<Subworker>(settings, registry);
        } catch (const std::runtime_error&) {
        }
    }
    FAIL("no free ports for a subworker");
    return nullptr;
}

// Polls until the control plane lists `count` active subworkers (at most 10 s).
bool wait_for_active_subworkers(Client& client, std::size_t count) {
    for (int i = 0; i < 1000; ++i) {
        if (client.get_subworker_status().active_subworkers == count) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

TEST_CASE(
    "ControlPlane in-process: with concurrency 0 a task waits for a subworker that offers it") {
    TaskRegistry own_plugins;  // names known here, never run here
    add_task(own_plugins, "succeeds", succeeds);
    InProcessControlPlane cluster(own_plugins, 0);
    Client client = cluster.client();

    // Acknowledged and dispatched in the same turn: with no subworker it waits.
    const std::string waiting = client.submit("succeeds", "{}");
    const auto queued = client.get(waiting);
    REQUIRE(queued);
    CHECK(queued->state == TaskState::queued);
    CHECK(queued->attempts == 0);
    const std::string cancelled = client.submit("succeeds", "{}", Priority::critical);
    CHECK(client.cancel(cancelled) == CancelResult::cancelled);

    // A name neither its plugins nor a subworker it knows offer fails fast.
    const TaskRecord unknown = client.submit_and_wait("nobody-runs-this", "{}");
    CHECK(unknown.state == TaskState::failure);
    CHECK(unknown.error == "unknown task 'nobody-runs-this'");

    TaskRegistry subworker_plugins;
    add_task(subworker_plugins, "succeeds", succeeds);
    auto subworker = start_in_process_subworker(cluster, "sub-1", subworker_plugins);
    const auto done = wait_for_state(client, waiting, TaskState::success);
    REQUIRE(done);
    CHECK(done->state == TaskState::success);
    CHECK(done->worker_id == "sub-1");
    CHECK(done->attempts == 1);
    CHECK(client.get(cancelled)->state == TaskState::cancelled);

    // The stop needs no engine to drain.
    subworker.reset();
    cluster.control_plane->request_stop();
    cluster.control_plane->wait();
    CHECK(cluster.control_plane->is_stopped());
    CHECK_FALSE(cluster.control_plane->has_abandoned_handlers());
}

TEST_CASE("ControlPlane in-process: a task its plugins lack waits for a subworker, not run here") {
    TaskRegistry own_plugins;
    add_task(own_plugins, "succeeds", succeeds);
    InProcessControlPlane cluster(own_plugins, 1);
    Client client = cluster.client();

    TaskRegistry subworker_plugins;
    add_task(subworker_plugins, "remote-only", succeeds);
    auto first = start_in_process_subworker(cluster, "sub-1", subworker_plugins);
    REQUIRE(wait_for_active_subworkers(client, 1));
    CHECK(client.submit_and_wait("remote-only", "{}").worker_id == "sub-1");

    // Its only subworker stops: the name stays known (the entry is listed),
    // and a new task of it waits rather than running here as unknown.
    first.reset();
    REQUIRE(wait_for_active_subworkers(client, 0));
    const std::string waiting = client.submit("remote-only", "{}");
    CHECK(client.get(waiting)->state == TaskState::queued);
    CHECK(client.submit_and_wait("succeeds", "{}").state == TaskState::success);
    CHECK(client.get(waiting)->state == TaskState::queued);

    auto second = start_in_process_subworker(cluster, "sub-2", subworker_plugins);
    const auto done = wait_for_state(client, waiting, TaskState::success);
    REQUIRE(done);
    CHECK(done->worker_id == "sub-2");
}

}  // namespace
}  // namespace fastqueue

// task_table_test.cpp -- a task's whole life in the control plane's task
// table, in memory: submit, dispatch, run, result, cancel (queued, scheduled,
// running, waiting in the engine), retry, schedule, timeout, worker loss,
// and the drain at shutdown.
#include "control_plane/task_table.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "common/uuid.hpp"
#include "execution/execution_engine.hpp"

namespace fastqueue {
namespace {

using namespace std::chrono_literals;

TaskId new_id() { return *TaskId::parse(generate_uuid()); }

// What the table asked to send: one entry per ended task.
struct RecordingOutbox : TaskTableOutbox {
    struct Ended {
        int reply_port;
        std::string routing_id;
        TaskRecord record;
        std::string result;
    };
    void task_ended(int reply_port, zmq::message_t& reply_routing_id, const TaskRecord& record,
                    const SharedBytes& result) override {
        ended.push_back(
            Ended{reply_port, reply_routing_id.to_string(), record, std::string(result.view())});
    }
    std::vector<Ended> ended;
};

struct Fixture {
    Fixture() { settings.max_worker_losses = 2; }

    // Submits a task `name` at `priority`; a client waits on its port.
    TaskId submit(const std::string& name, Priority priority, Timestamp due = Timestamp{},
                  std::uint32_t max_retries = 0) {
        const TaskId id = new_id();
        LiveTask task;
        task.task_name = table.intern_task_name(std::string(name));
        task.priority = priority;
        task.submitted_at = Clock::now();
        task.payload = HeldPayload(zmq::message_t(std::string("{}")));
        task.max_retries = max_retries;
        task.retry_backoff_ms = 10;
        task.reply_port = static_cast<std::int8_t>(priority);
        task.reply_routing_id = CompactBytes(std::string_view("client"));
        table.submit(id, std::move(task), due, Clock::now());
        return id;
    }

    // Starts every queued task here, in dispatch order; returns their ids.
    std::vector<TaskId> start_all() {
        std::vector<TaskId> started;
        table.dispatch([&](const TaskId& id, LiveTask& task) {
            table.start(id, task, "here", false);
            started.push_back(id);
            return Placement::started;
        });
        return started;
    }

    TaskState state_of(const TaskId& id) {
        const auto* entry = table.find(id);
        return entry != nullptr ? entry->second.state : table.cache().get(id)->state;
    }

    static TaskOutcome outcome(const TaskId& id, TaskState state, std::string error = "",
                               bool retryable = false) {
        TaskOutcome outcome;
        outcome.task_id = id.to_string();
        outcome.state = state;
        outcome.result = state == TaskState::success ? "42" : "";
        outcome.error = std::move(error);
        outcome.retryable = retryable;
        return outcome;
    }

    ControlPlaneSettings settings;
    RecordingOutbox outbox;
    TaskTable table{settings, outbox};
};

TEST_CASE("TaskTable: submit, dispatch in priority order, run, result into the cache") {
    Fixture f;
    const TaskId low = f.submit("t", Priority::low);
    const TaskId critical = f.submit("t", Priority::critical);
    CHECK(f.state_of(low) == TaskState::queued);
    CHECK(f.table.live_count() == 2);

    const auto started = f.start_all();
    REQUIRE(started.size() == 2);
    CHECK(started[0] == critical);
    CHECK(started[1] == low);
    CHECK(f.state_of(critical) == TaskState::running);
    CHECK(f.table.find(critical)->second.attempts() == 1);

    f.table.finish(Fixture::outcome(critical, TaskState::success));
    REQUIRE(f.outbox.ended.size() == 1);
    const auto& ended = f.outbox.ended[0];
    CHECK(ended.reply_port == static_cast<int>(Priority::critical));
    CHECK(ended.routing_id == "client");
    CHECK(ended.record.task_id == critical.to_string());
    CHECK(ended.record.state == TaskState::success);
    CHECK(ended.record.worker_id == "here");
    CHECK(ended.result == "42");
    const auto cached = f.table.cache().get(critical);
    REQUIRE(cached);
    CHECK(cached->state == TaskState::success);
    CHECK(cached->attempts == 1);
    CHECK(f.table.find(critical) == nullptr);
    CHECK(f.table.finished_count() == 1);

    // A second outcome for an ended task changes nothing.
    f.table.finish(Fixture::outcome(critical, TaskState::failure, "late"));
    CHECK(f.outbox.ended.size() == 1);
    CHECK(f.table.cache().get(critical)->state == TaskState::success);
}

TEST_CASE("TaskTable: a task that finds no worker stays at the head of its queue") {
    Fixture f;
    const TaskId first = f.submit("t", Priority::normal);
    const TaskId second = f.submit("t", Priority::normal);
    int offers = 0;
    f.table.dispatch([&](const TaskId&, LiveTask&) {
        ++offers;
        return Placement::no_room;
    });
    CHECK(offers == 1);
    CHECK(f.state_of(first) == TaskState::queued);
    const auto started = f.start_all();
    REQUIRE(started.size() == 2);
    CHECK(started[0] == first);
    CHECK(started[1] == second);
}

TEST_CASE("TaskTable: cancel a queued task, a scheduled one, and not a running one") {
    Fixture f;
    const TaskId queued = f.submit("t", Priority::normal);
    const TaskId scheduled = f.submit("t", Priority::normal, Clock::now() + 1h);
    const TaskId running = f.submit("t", Priority::high);
    f.table.dispatch([&](const TaskId& id, LiveTask& task) {
        if (id != running) return Placement::no_room;
        f.table.start(id, task, "here", false);
        return Placement::started;
    });
    CHECK(f.state_of(scheduled) == TaskState::scheduled);
    REQUIRE(f.table.next_due());

    CHECK(f.table.cancel_waiting(*f.table.find(queued), kCancelledBeforeStart));
    CHECK(f.table.cancel_waiting(*f.table.find(scheduled), kCancelledBeforeStart));
    CHECK_FALSE(f.table.cancel_waiting(*f.table.find(running), kCancelledBeforeStart));
    CHECK(f.state_of(queued) == TaskState::cancelled);
    CHECK(f.table.cache().get(queued)->error == kCancelledBeforeStart);
    CHECK(f.state_of(scheduled) == TaskState::cancelled);
    CHECK(f.table.scheduled_count() == 0);
    CHECK_FALSE(f.table.next_due());
    CHECK(f.state_of(running) == TaskState::running);
    // The cancelled queued task is never offered again.
    CHECK(f.start_all().empty());

    // A running task is cancelled by its runner, whose outcome ends it.
    f.table.finish(cancelled_outcome(running.to_string(), "cancelled while running"));
    CHECK(f.state_of(running) == TaskState::cancelled);
    CHECK(f.table.cache().get(running)->attempts == 1);
    CHECK(f.outbox.ended.size() == 3);
}

TEST_CASE("TaskTable: a task the engine held unstarted is given back or cancelled") {
    Fixture f;
    const TaskId given_back = f.submit("t", Priority::normal);
    const TaskId withdrawn = f.submit("t", Priority::normal);
    f.start_all();
    f.table.give_back(given_back.to_string(), zmq::message_t(std::string("{}")));
    CHECK(f.state_of(given_back) == TaskState::queued);
    CHECK(f.table.find(given_back)->second.attempts() == 0);
    f.table.cancel_unstarted(*f.table.find(withdrawn), kCancelledBeforeStart);
    const auto record = f.table.cache().get(withdrawn);
    REQUIRE(record);
    CHECK(record->state == TaskState::cancelled);
    CHECK(record->attempts == 0);
    CHECK(f.start_all().size() == 1);
}

TEST_CASE("TaskTable: a retryable failure is retried after its backoff, then ends") {
    Fixture f;
    const TaskId id = f.submit("t", Priority::normal, Timestamp{}, 1);
    f.start_all();
    f.table.finish(Fixture::outcome(id, TaskState::failure, "flaky", true));
    CHECK(f.outbox.ended.empty());
    CHECK(f.state_of(id) == TaskState::scheduled);
    const TaskRecord waiting = describe_live_task(id, f.table.find(id)->second);
    CHECK(waiting.error == "flaky");
    CHECK(waiting.retryable);
    REQUIRE(f.table.next_due());

    f.table.release_due(*f.table.next_due());
    CHECK(f.state_of(id) == TaskState::queued);
    REQUIRE(f.start_all().size() == 1);
    CHECK(f.table.find(id)->second.attempts() == 2);

    // No retry left: the second retryable failure ends the task.
    f.table.finish(Fixture::outcome(id, TaskState::failure, "flaky again", true));
    REQUIRE(f.outbox.ended.size() == 1);
    CHECK(f.outbox.ended[0].record.state == TaskState::failure);
    CHECK(f.outbox.ended[0].record.error == "flaky again");
    CHECK(f.outbox.ended[0].record.attempts == 2);
}

TEST_CASE("TaskTable: a failure that is not retryable, such as a timeout, ends at once") {
    Fixture f;
    const TaskId id = f.submit("t", Priority::normal, Timestamp{}, 3);
    f.start_all();
    f.table.finish(Fixture::outcome(id, TaskState::failure, "timed out after 1 s"));
    REQUIRE(f.outbox.ended.size() == 1);
    CHECK(f.outbox.ended[0].record.state == TaskState::failure);
    CHECK(f.outbox.ended[0].record.error == "timed out after 1 s");
    CHECK(f.table.scheduled_count() == 0);
}

TEST_CASE("TaskTable: a scheduled task is queued once due, not before") {
    Fixture f;
    const Timestamp due = Clock::now() + 1h;
    const TaskId id = f.submit("t", Priority::normal, due);
    CHECK(f.state_of(id) == TaskState::scheduled);
    CHECK(describe_live_task(id, f.table.find(id)->second).scheduled_for == due);
    CHECK(f.table.next_due() == due);
    CHECK(f.start_all().empty());

    f.table.release_due(due - 1s);
    CHECK(f.state_of(id) == TaskState::scheduled);
    f.table.release_due(due);
    CHECK(f.state_of(id) == TaskState::queued);
    CHECK(describe_live_task(id, f.table.find(id)->second).scheduled_for == Timestamp{});
    CHECK(f.start_all().size() == 1);
}

TEST_CASE("TaskTable: a task whose subworker is lost runs again, until too many losses") {
    Fixture f;  // max_worker_losses 2
    const TaskId id = f.submit("t", Priority::normal);
    f.table.dispatch([&](const TaskId& started, LiveTask& task) {
        f.table.start(started, task, "sub-1", true);
        return Placement::started;
    });
    CHECK(f.table.find(id)->second.is_on_subworker());
    f.table.requeue_lost(id.to_string());
    CHECK(f.state_of(id) == TaskState::queued);
    CHECK_FALSE(f.table.find(id)->second.is_on_subworker());

    // Refused by the next subworker: queued again, not a loss nor an attempt.
    f.table.dispatch([&](const TaskId& started, LiveTask& task) {
        f.table.start(started, task, "sub-2", true);
        return Placement::started;
    });
    f.table.give_back_refused(id.to_string());
    CHECK(f.state_of(id) == TaskState::queued);
    CHECK(f.table.find(id)->second.attempts() == 1);

    f.start_all();
    f.table.requeue_lost(id.to_string());
    REQUIRE(f.outbox.ended.size() == 1);
    CHECK(f.outbox.ended[0].record.state == TaskState::failure);
    CHECK(f.outbox.ended[0].record.error == "worker lost");
}

TEST_CASE("TaskTable: the drain cancels what waits and retries nothing more") {
    Fixture f;
    const TaskId queued = f.submit("t", Priority::normal);
    const TaskId scheduled = f.submit("t", Priority::low, Clock::now() + 1h);
    const TaskId running = f.submit("t", Priority::critical, Timestamp{}, 5);
    f.table.dispatch([&](const TaskId& id, LiveTask& task) {
        if (id != running) return Placement::no_room;
        f.table.start(id, task, "here", false);
        return Placement::started;
    });
    f.table.drain("shut down");
    CHECK(f.table.is_draining());
    CHECK(f.state_of(queued) == TaskState::cancelled);
    CHECK(f.state_of(scheduled) == TaskState::cancelled);
    CHECK(f.table.cache().get(scheduled)->error == "shut down");
    CHECK(f.state_of(running) == TaskState::running);

    f.table.finish(Fixture::outcome(running, TaskState::failure, "flaky", true));
    CHECK(f.state_of(running) == TaskState::failure);
    CHECK(f.table.live_count() == 0);
}

TEST_CASE("TaskTable: a task that was never live ends straight into the cache") {
    Fixture f;
    const TaskId id = new_id();
    TaskRecord record;
    record.task_id = id.to_string();
    record.task_name = "nobody";
    TaskOutcome outcome = Fixture::outcome(id, TaskState::failure, "unknown task 'nobody'");
    zmq::message_t routing_id(std::string("client"));
    f.table.finish_never_live(id, std::move(record), std::move(outcome), -1, routing_id);
    REQUIRE(f.outbox.ended.size() == 1);
    CHECK(f.outbox.ended[0].reply_port == -1);
    CHECK(f.table.cache().get(id)->error == "unknown task 'nobody'");
    CHECK(f.table.finished_count() == 1);
}

// Offers the queued tasks: those named in `offered` start, the others find
// no worker. Returns the ids offered, in order.
std::vector<TaskId> dispatch_offering(Fixture& f, const std::vector<std::string>& offered) {
    std::vector<TaskId> seen;
    f.table.dispatch([&](const TaskId& id, LiveTask& task) {
        seen.push_back(id);
        if (std::find(offered.begin(), offered.end(), *task.task_name) == offered.end()) {
            return Placement::no_worker;
        }
        f.table.start(id, task, "here", false);
        return Placement::started;
    });
    return seen;
}

TEST_CASE("TaskTable: a task no worker offers waits aside without holding up the ones behind it") {
    Fixture f;
    const TaskId orphan = f.submit("orphan", Priority::critical);
    const TaskId runnable = f.submit("runnable", Priority::low);

    auto seen = dispatch_offering(f, {"runnable"});
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == orphan);
    CHECK(seen[1] == runnable);
    CHECK(f.state_of(runnable) == TaskState::running);
    CHECK(f.state_of(orphan) == TaskState::queued);
    CHECK(f.table.queued_count() == 1);
    CHECK(f.table.waiting_for_worker_count() == 1);

    // Not offered again until a worker offers its name: no spinning on it.
    CHECK(dispatch_offering(f, {"runnable"}).empty());
    f.table.offer("runnable");  // another name: no change
    CHECK(dispatch_offering(f, {"runnable"}).empty());

    f.table.offer("orphan");
    CHECK(f.table.waiting_for_worker_count() == 0);
    seen = dispatch_offering(f, {"orphan"});
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == orphan);
    CHECK(f.state_of(orphan) == TaskState::running);
}

TEST_CASE("TaskTable: tasks that waited for a worker keep their priority and order") {
    Fixture f;
    const TaskId first = f.submit("orphan", Priority::normal);
    const TaskId second = f.submit("orphan", Priority::normal);
    const TaskId urgent = f.submit("orphan", Priority::high);
    CHECK(dispatch_offering(f, {}).size() == 3);
    // Queued after they were set aside, at the same priority.
    const TaskId later = f.submit("other", Priority::normal);

    f.table.offer("orphan");
    const auto seen = dispatch_offering(f, {"orphan", "other"});
    REQUIRE(seen.size() == 4);
    CHECK(seen[0] == urgent);
    CHECK(seen[1] == first);
    CHECK(seen[2] == second);
    CHECK(seen[3] == later);
}

TEST_CASE("TaskTable: cancelled tasks that waited for a worker are swept, not kept") {
    Fixture f;
    std::vector<TaskId> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(f.submit("orphan", Priority::normal));
    CHECK(dispatch_offering(f, {}).size() == 10);
    CHECK(f.table.queued_count() == 10);

    for (const TaskId& id : ids) {
        CHECK(f.table.cancel_waiting(*f.table.find(id), kCancelledBeforeStart));
        CHECK(f.state_of(id) == TaskState::cancelled);
        // Ended ids held never outnumber the waiting ones (plus the one just ended).
        CHECK(f.table.queued_count() <= 2 * f.table.live_count() + 1);
    }
    CHECK(f.table.queued_count() == 0);
    CHECK(f.table.waiting_for_worker_count() == 0);
    f.table.offer("orphan");
    CHECK(dispatch_offering(f, {"orphan"}).empty());
    CHECK(f.outbox.ended.size() == 10);
}

TEST_CASE("TaskTable: the drain cancels the tasks that wait for a worker") {
    Fixture f;
    const TaskId orphan = f.submit("orphan", Priority::normal);
    CHECK(dispatch_offering(f, {}).size() == 1);
    f.table.drain("shut down");
    CHECK(f.state_of(orphan) == TaskState::cancelled);
    CHECK(f.table.queued_count() == 0);
    CHECK(f.table.live_count() == 0);
}

TEST_CASE("TaskTable: a task that lost its worker and finds no other waits, never ends unknown") {
    Fixture f;  // max_worker_losses 2
    const TaskId id = f.submit("remote-only", Priority::normal);
    f.table.dispatch([&](const TaskId& started, LiveTask& task) {
        f.table.start(started, task, "sub-1", true);
        return Placement::started;
    });
    f.table.requeue_lost(id.to_string());
    CHECK(dispatch_offering(f, {}).size() == 1);
    CHECK(f.state_of(id) == TaskState::queued);
    CHECK(f.outbox.ended.empty());

    f.table.offer("remote-only");
    f.table.dispatch([&](const TaskId& started, LiveTask& task) {
        f.table.start(started, task, "sub-2", true);
        return Placement::started;
    });
    CHECK(f.state_of(id) == TaskState::running);
    CHECK(f.table.find(id)->second.attempts() == 2);
}

}  // namespace
}  // namespace fastqueue

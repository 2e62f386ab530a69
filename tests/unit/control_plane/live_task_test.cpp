// live_task_test.cpp -- the control plane's compact task: its payload held
// small or shared, and the record a client reads built from it.
#include "control_plane/live_task.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace fastqueue;

namespace {

const std::string kTaskName = "echo";
const std::string kIdText = "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f";

TaskId test_id() { return *TaskId::parse(kIdText); }

LiveTask queued_task() {
    LiveTask task;
    task.task_name = &kTaskName;
    task.submitted_at = Clock::now();
    return task;
}

}  // namespace

TEST_CASE("HeldPayload: a small payload is copied out of its message and can be sent again") {
    const std::string text = R"({"args":["hello"],"kwargs":{}})";
    HeldPayload payload(zmq::message_t(text.data(), text.size()));
    CHECK(payload.size() == text.size());
    CHECK(payload.share().to_string() == text);
    CHECK(payload.share().to_string() == text);
    CHECK(payload.take().to_string() == text);
    CHECK(payload.size() == 0);
}

TEST_CASE("HeldPayload: a large payload is shared with what is sent, never copied") {
    const std::string text(HeldPayload::kCopyLimit + 1, 'x');
    zmq::message_t message(text.data(), text.size());
    const void* bytes = message.data();
    HeldPayload payload(std::move(message));
    zmq::message_t first = payload.share();
    CHECK(first.data() == bytes);
    CHECK(first.to_string() == text);
    zmq::message_t last = payload.take();
    CHECK(last.data() == bytes);
    CHECK(payload.size() == 0);
}

TEST_CASE("describe_live_task: a queued task reads as submitted, with nothing started") {
    LiveTask task = queued_task();
    task.priority = Priority::high;
    const TaskRecord record = describe_live_task(test_id(), task);
    CHECK(record.task_id == kIdText);
    CHECK(record.task_name == "echo");
    CHECK(record.priority == Priority::high);
    CHECK(record.state == TaskState::queued);
    CHECK(record.attempts == 0);
    CHECK(record.worker_id.empty());
    CHECK(record.submitted_at == task.submitted_at);
    CHECK(record.started_at == Timestamp{});
}

TEST_CASE("describe_live_task: a started task carries its attempts, worker and start") {
    LiveTask task = queued_task();
    mark_started(task, "worker-0", true);
    CHECK(task.is_on_subworker());
    mark_started(task, "worker-1", false);
    CHECK_FALSE(task.is_on_subworker());
    TaskHistory& history = *task.history;
    history.error = "previous attempt failed";

    const TaskRecord copied = describe_live_task(test_id(), task);
    CHECK(copied.state == TaskState::running);
    CHECK(copied.attempts == 2);
    CHECK(copied.worker_id == "worker-1");
    CHECK(copied.error == "previous attempt failed");
    CHECK(copied.started_at == history.started_at);
    CHECK(task.history->worker_id == "worker-1");  // describing leaves the task as it was

    mark_unstarted(task);
    CHECK(task.state == TaskState::queued);
    CHECK(task.attempts() == 1);
    CHECK(task.history->started_at == Timestamp{});

    const TaskRecord final_record = describe_live_task(test_id(), std::move(task));
    CHECK(final_record.worker_id == "worker-1");
    CHECK(final_record.attempts == 1);
}

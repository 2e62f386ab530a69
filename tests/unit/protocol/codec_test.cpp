// codec_test.cpp -- the wire format of protocol 1 (runtime/protocol/codec.cpp):
// every message survives encode -> decode, and every kind of malformed input
// is refused with a reason instead of being trusted.
#include "protocol/codec.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>
#include <random>
#include <string>

#include "../common/tracked_bytes.hpp"
#include "nested_json.hpp"
#include "protocol/record_json.hpp"
#include "protocol/submit_options.hpp"

using namespace fastqueue;
using namespace fastqueue::protocol;
using fastqueue::test::TrackedBytes;

namespace {

constexpr const char* kId = "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f";
constexpr const char* kOtherId = "00000000-0000-4000-8000-000000000001";

std::string text(const zmq::message_t& frame) {
    return std::string(static_cast<const char*>(frame.data()), frame.size());
}

Frames frames_of(std::initializer_list<std::string> parts) {
    Frames frames;
    for (const auto& part : parts) frames.emplace_back(part.data(), part.size());
    return frames;
}

// Encodes, then decodes the frames as a peer would receive them.
template <typename T>
T round_trip(T message) {
    Frames frames = encode(Message(std::move(message)));
    DecodeResult decoded = decode(frames);
    INFO(decoded.error);
    REQUIRE(decoded.message);
    REQUIRE(std::holds_alternative<T>(*decoded.message));
    return std::get<T>(std::move(*decoded.message));
}

// Decodes and expects a failure whose reason contains `reason_part`.
void check_rejected(Frames frames, const std::string& reason_part) {
    DecodeResult decoded = decode(frames);
    CHECK_FALSE(decoded.message);
    INFO("reason: ", decoded.error);
    CHECK(decoded.error.find(reason_part) != std::string::npos);
}

TaskRecord finished_record() {
    using namespace std::chrono;
    TaskRecord record;
    record.task_id = kId;
    record.task_name = "mytasks.add";
    record.priority = Priority::high;
    record.state = TaskState::success;
    record.result = "{\"sum\": 5}";
    record.attempts = 2;
    record.worker_id = "subworker1";
    record.submitted_at = sys_days{year{2026} / 11 / 27} + hours{23} + microseconds{1};
    record.started_at = record.submitted_at + milliseconds{5};
    record.finished_at = record.started_at + microseconds{123456};
    return record;
}

std::string metadata_with(const std::string& key, nlohmann::json value) {
    auto metadata = record_metadata_to_json(finished_record());
    metadata[key] = std::move(value);
    return metadata.dump();
}

}  // namespace

TEST_CASE("Codec: SUBMIT round-trips with its flags and payload bytes") {
    Submit submit;
    submit.task_id = kId;
    submit.task_name = "add";
    submit.wants_result = true;
    std::string payload("{\"args\":[2,3]}\0\xff", 16);
    submit.payload = zmq::message_t(payload.data(), payload.size());

    Submit back = round_trip(std::move(submit));
    CHECK(back.task_id == kId);
    CHECK(back.task_name == "add");
    CHECK(back.wants_result);
    CHECK(text(back.payload) == payload);

    Submit quiet;
    quiet.task_id = kId;
    quiet.task_name = "a";
    Submit quiet_back = round_trip(std::move(quiet));
    CHECK_FALSE(quiet_back.wants_result);
    CHECK(quiet_back.payload.size() == 0);
}

TEST_CASE("Codec: SUBMIT frames are exactly as documented") {
    Submit submit;
    submit.task_id = kId;
    submit.task_name = "echo";
    submit.wants_result = true;
    submit.payload = zmq::message_t(std::string_view("{}"));
    Frames frames = encode(Message(std::move(submit)));
    REQUIRE(frames.size() == 6);
    CHECK(text(frames[0]) == "FQ/1");
    CHECK(text(frames[1]) == "SUBMIT");
    CHECK(text(frames[2]) == kId);
    CHECK(text(frames[3]) == "echo");
    CHECK(text(frames[4]) == std::string(1, '\x01'));
    CHECK(text(frames[5]) == "{}");
}

TEST_CASE("Codec: the payload frame is moved into the message, not copied") {
    // Large enough that ZeroMQ keeps it on the heap rather than inline.
    Frames frames =
        frames_of({"FQ/1", "SUBMIT", kId, "add", std::string(1, '\0'), std::string(4096, 'p')});
    const void* payload_bytes = frames[5].data();
    DecodeResult decoded = decode(frames);
    REQUIRE(decoded.message);
    CHECK(std::get<Submit>(*decoded.message).payload.data() == payload_bytes);
}

TEST_CASE("Codec: the short answers round-trip") {
    CHECK(round_trip(Ack{kId}).task_id == kId);
    CHECK(round_trip(Query{kId}).task_id == kId);
    CHECK(round_trip(Cancel{kId}).task_id == kId);
    CHECK(round_trip(NotFound{kId}).task_id == kId);

    Refused refused = round_trip(Refused{kId, "busy: the normal queue is full (10000 tasks)"});
    CHECK(refused.task_id == kId);
    CHECK(refused.reason == "busy: the normal queue is full (10000 tasks)");

    Error error = round_trip(Error{"", "not a FastQueue message"});
    CHECK(error.task_id.empty());
    CHECK(error.message == "not a FastQueue message");

    for (auto outcome : {CancelOutcome::cancelled, CancelOutcome::cancelling,
                         CancelOutcome::finished, CancelOutcome::not_found}) {
        CancelReply reply = round_trip(CancelReply{kId, outcome});
        CHECK(reply.task_id == kId);
        CHECK(reply.outcome == outcome);
    }
}

TEST_CASE("Codec: RESULT and RECORD carry the whole record and the result bytes") {
    TaskRecord original = finished_record();
    TaskRecord back = round_trip(Result{original}).record;
    CHECK(back.task_id == original.task_id);
    CHECK(back.task_name == original.task_name);
    CHECK(back.priority == original.priority);
    CHECK(back.state == original.state);
    CHECK(back.result == original.result);
    CHECK(back.error.empty());
    CHECK(back.attempts == 2);
    CHECK(back.worker_id == "subworker1");
    CHECK(back.submitted_at == original.submitted_at);
    CHECK(back.started_at == original.started_at);
    CHECK(back.finished_at == original.finished_at);

    TaskRecord queued;
    queued.task_id = kId;
    queued.task_name = "sleep";
    queued.submitted_at = original.submitted_at;
    TaskRecord queued_back = round_trip(Record{queued}).record;
    CHECK(queued_back.state == TaskState::queued);
    CHECK(queued_back.started_at == Timestamp{});
    CHECK(queued_back.finished_at == Timestamp{});
    CHECK(queued_back.worker_id.empty());

    TaskRecord failed = original;
    failed.state = TaskState::failure;
    failed.result.clear();
    failed.error = "division by zero \xe2\x80\x94 in \"div\"";
    CHECK(round_trip(Record{failed}).record.error == failed.error);
}

TEST_CASE("Codec: encode repairs text the peer could not decode") {
    Refused refused = round_trip(Refused{kId, std::string("bad \xff byte")});
    CHECK(refused.reason == "bad \xEF\xBF\xBD byte");
    Error error = round_trip(Error{kId, std::string(kMaxTextBytes + 100, 'x')});
    CHECK(error.message.size() == kMaxTextBytes);

    TaskRecord failed = finished_record();
    failed.state = TaskState::failure;
    failed.result.clear();
    failed.error = std::string(kMaxErrorBytes * 2, 'e') + "\xff";
    CHECK(round_trip(Result{failed}).record.error.size() == kMaxErrorBytes);

    // A short error with a byte that is not UTF-8, quotes, a backslash and
    // control characters still makes metadata any JSON parser reads.
    failed.error = std::string("bad \xff \"x\" \\ line\nnext\ttab\x01 end");
    CHECK(round_trip(Result{failed}).record.error ==
          "bad \xEF\xBF\xBD \"x\" \\ line\nnext\ttab\x01 end");
}

TEST_CASE("record metadata: the text is one JSON object with the documented members") {
    TaskRecord record = finished_record();
    const std::string text = record_metadata_text(record);
    const auto object = nlohmann::json::parse(text);
    CHECK(object.size() == 10);
    CHECK(object["task_id"] == kId);
    CHECK(object["task_name"] == "mytasks.add");
    CHECK(object["priority"] == "high");
    CHECK(object["status"] == "success");
    CHECK(object["error"] == "");
    CHECK(object["attempts"] == 2);
    CHECK(object["worker_id"] == "subworker1");
    CHECK(object["submitted_at"] == "2026-11-27T23:00:00.000001Z");
    CHECK(object["started_at"] == "2026-11-27T23:00:00.005001Z");
    CHECK(object["finished_at"] == "2026-11-27T23:00:00.128457Z");
    // Written in name order, compact, as a JSON library writes it.
    CHECK(text == object.dump());

    record.progress = 1.0;
    record.retryable = true;
    record.scheduled_for = record.finished_at;
    const auto extended = nlohmann::json::parse(record_metadata_text(record));
    CHECK(extended.size() == 13);
    CHECK(extended["progress"] == 1.0);
    CHECK(extended["retryable"] == true);
    CHECK(extended["scheduled_for"] == "2026-11-27T23:00:00.128457Z");
}

TEST_CASE("Codec: the protocol id is checked before anything else") {
    check_rejected(frames_of({"FQ/2", "SUBMIT", kId, "add", std::string(1, '\0'), ""}),
                   "unsupported protocol version 'FQ/2' (this peer speaks FQ/1)");
    check_rejected(frames_of({"FQ/1.1", "ACK", kId}), "unsupported protocol version 'FQ/1.1'");
    check_rejected(frames_of({"HTTP/1.1", "ACK", kId}), "not a FastQueue message");
    check_rejected(frames_of({"fq/1", "ACK", kId}), "not a FastQueue message");
    check_rejected(frames_of({"", "ACK", kId}), "not a FastQueue message");
    check_rejected(Frames{}, "empty message");
    check_rejected(frames_of({"FQ/1"}), "no type frame");
}

TEST_CASE("Codec: unknown message types are refused") {
    check_rejected(frames_of({"FQ/1", "submit", kId}), "unknown message type 'submit'");
    check_rejected(frames_of({"FQ/1", "PING", kId}), "unknown message type 'PING'");
    check_rejected(frames_of({"FQ/1", "", kId}), "unknown message type ''");
}

TEST_CASE("Codec: each message needs exactly its number of frames") {
    check_rejected(frames_of({"FQ/1", "SUBMIT", kId, "add", std::string(1, '\0')}),
                   "SUBMIT has 5 frames, expected 6 or 7");
    check_rejected(frames_of({"FQ/1", "SUBMIT", kId, "add", std::string(1, '\0'), "", "", ""}),
                   "SUBMIT has 8 frames, expected 6 or 7");
    check_rejected(frames_of({"FQ/1", "SUBMIT", kId, "add", std::string(1, '\0'), "", "{}"}),
                   "SUBMIT has 7 frames, but flags announce no options frame");
    check_rejected(frames_of({"FQ/1", "SUBMIT", kId, "add", "\x02", ""}),
                   "flags announce an options frame, but SUBMIT has 6 frames");
    check_rejected(frames_of({"FQ/1", "ACK"}), "ACK has 2 frames, expected 3");
    check_rejected(frames_of({"FQ/1", "QUERY", kId, ""}), "QUERY has 4 frames, expected 3");
    check_rejected(frames_of({"FQ/1", "CANCEL"}), "CANCEL has 2 frames, expected 3");
    check_rejected(frames_of({"FQ/1", "RECORD", kId, "{}"}), "RECORD has 4 frames, expected 5");
    check_rejected(frames_of({"FQ/1", "CANCEL_REPLY", kId}), "CANCEL_REPLY has 3 frames");
    check_rejected(frames_of({"FQ/1", "REFUSED", kId}), "REFUSED has 3 frames");
    check_rejected(frames_of({"FQ/1", "ERROR", kId}), "ERROR has 3 frames");
}

TEST_CASE("Codec: a readable task id is kept for the error reply even when decoding fails") {
    Frames frames = frames_of({"FQ/1", "SUBMIT", kId, "bad name!", std::string(1, '\0'), ""});
    DecodeResult decoded = decode(frames);
    CHECK_FALSE(decoded.message);
    CHECK(decoded.task_id == kId);

    Frames short_frames = frames_of({"FQ/1", "SUBMIT", kId});
    CHECK(decode(short_frames).task_id == kId);

    Frames bad_id = frames_of({"FQ/1", "QUERY", "not-a-uuid"});
    DecodeResult bad = decode(bad_id);
    CHECK_FALSE(bad.message);
    CHECK(bad.task_id.empty());
}

TEST_CASE("Codec: task ids must be lower-case UUIDs") {
    check_rejected(frames_of({"FQ/1", "QUERY", "3F2B8C1E-9D4A-4C1B-8E2F-0A1B2C3D4E5F"}),
                   "invalid task id");
    check_rejected(frames_of({"FQ/1", "QUERY", "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5"}),
                   "invalid task id");
    check_rejected(frames_of({"FQ/1", "ACK", std::string(kId) + "0"}), "invalid task id");
    check_rejected(frames_of({"FQ/1", "CANCEL", ""}), "invalid task id");
    check_rejected(frames_of({"FQ/1", "SUBMIT", "", "add", std::string(1, '\0'), ""}),
                   "invalid task id");
    check_rejected(frames_of({"FQ/1", "NOT_FOUND", std::string(100000, 'a')}), "invalid task id");
    // Only REFUSED and ERROR may carry an empty id.
    Frames refused = frames_of({"FQ/1", "REFUSED", "", "busy"});
    CHECK(decode(refused).message);
}

TEST_CASE("Codec: task names are 1..128 characters of [A-Za-z0-9_.:-]") {
    auto submit_named = [](const std::string& name) {
        return frames_of({"FQ/1", "SUBMIT", kId, name, std::string(1, '\0'), ""});
    };
    check_rejected(submit_named(""), "invalid task name");
    check_rejected(submit_named(std::string(129, 'a')), "invalid task name");
    check_rejected(submit_named("add numbers"), "invalid task name");
    check_rejected(submit_named("add/x"), "invalid task name");
    check_rejected(submit_named(std::string("a\0b", 3)), "invalid task name");
    Frames longest = submit_named(std::string(128, 'a'));
    CHECK(decode(longest).message);
    Frames punctuated = submit_named("My_plugin-2.tasks:add");
    CHECK(decode(punctuated).message);
}

TEST_CASE("Codec: the flags frame is exactly one byte with only bits 0 and 1 defined") {
    auto submit_flags = [](const std::string& flags) {
        return frames_of({"FQ/1", "SUBMIT", kId, "add", flags, ""});
    };
    check_rejected(submit_flags(""), "flags frame must be exactly 1 byte, got 0");
    check_rejected(submit_flags(std::string(2, '\0')), "flags frame must be exactly 1 byte, got 2");
    check_rejected(submit_flags("\x04"), "unknown flag bits");
    check_rejected(submit_flags("\x81"), "unknown flag bits");
    check_rejected(submit_flags("1"), "unknown flag bits");  // the character '1' is 0x31
}

TEST_CASE("Codec: RESULT/RECORD metadata is validated field by field") {
    auto record_with = [](const std::string& metadata, const std::string& result = "") {
        return frames_of({"FQ/1", "RECORD", kId, metadata, result});
    };
    check_rejected(record_with("not json"), "not valid UTF-8 JSON");
    check_rejected(record_with("{\"task_id\": \"\xff\"}"), "not valid UTF-8 JSON");
    check_rejected(record_with("[]"), "not a JSON object");
    check_rejected(record_with("{}"), "missing 'task_id'");
    check_rejected(record_with(metadata_with("task_id", 7)), "'task_id' must be a string");
    check_rejected(record_with(metadata_with("task_id", kOtherId)),
                   "differs from the task id frame");
    check_rejected(record_with(metadata_with("task_id", "x")),
                   "'task_id' is not a lower-case UUID");
    check_rejected(record_with(metadata_with("task_name", "a b")), "'task_name' is not a valid");
    check_rejected(record_with(metadata_with("priority", "urgent")), "unknown 'priority'");
    check_rejected(record_with(metadata_with("priority", 0)), "'priority' must be a string");
    check_rejected(record_with(metadata_with("status", "done")), "unknown 'status'");
    check_rejected(record_with(metadata_with("attempts", -1)), "'attempts' must be an integer");
    check_rejected(record_with(metadata_with("attempts", 1.5)), "'attempts' must be an integer");
    check_rejected(record_with(metadata_with("attempts", "1")), "'attempts' must be an integer");
    check_rejected(record_with(metadata_with("attempts", 4294967296ull)),
                   "'attempts' must be an integer");
    check_rejected(record_with(metadata_with("worker_id", nullptr)),
                   "'worker_id' must be a string");
    check_rejected(record_with(metadata_with("worker_id", std::string(257, 'w'))),
                   "'worker_id' is longer");
    check_rejected(record_with(metadata_with("started_at", "2026-11-27T23:52:33Z")),
                   "'started_at' is not a UTC timestamp");
    check_rejected(record_with(metadata_with("finished_at", 0)), "'finished_at' must be a string");
    check_rejected(record_with(metadata_with("error", "boom")), "'error' is set but status");
    auto without_submitted = record_metadata_to_json(finished_record());
    without_submitted.erase("submitted_at");
    check_rejected(record_with(without_submitted.dump()), "missing 'submitted_at'");
    check_rejected(record_with(std::string(kMaxMetadataBytes + 1, ' ')), "metadata is longer");

    // A result only comes with success.
    auto failed = record_metadata_to_json(finished_record());
    failed["status"] = "failure";
    failed["error"] = "boom";
    check_rejected(record_with(failed.dump(), "42"), "result bytes present but status");

    // Unknown keys are ignored: a later protocol minor may add some.
    auto extended = record_metadata_to_json(finished_record());
    extended["queue_ms"] = 3;
    Frames frames = record_with(extended.dump(), "5");
    DecodeResult decoded = decode(frames);
    INFO(decoded.error);
    CHECK(decoded.message);
}

TEST_CASE("Codec: text frames must be UTF-8 and short; outcomes must be known") {
    check_rejected(frames_of({"FQ/1", "REFUSED", kId, "\xc3\x28"}), "not valid UTF-8");
    check_rejected(frames_of({"FQ/1", "ERROR", kId, std::string(kMaxTextBytes + 1, 'x')}),
                   "longer than 4096 bytes");
    check_rejected(frames_of({"FQ/1", "CANCEL_REPLY", kId, "done"}), "unknown cancel outcome");
    check_rejected(frames_of({"FQ/1", "CANCEL_REPLY", kId, ""}), "unknown cancel outcome");
}

TEST_CASE("Codec: truncated frames of a real message are all refused") {
    Submit submit;
    submit.task_id = kId;
    submit.task_name = "add";
    Frames good = encode(Message(std::move(submit)));
    // Frame 3 ("add" -> "ad") stays a valid name and the payload may be any
    // length; every other frame has an exact form.
    for (std::size_t i : {0, 1, 2, 4}) {
        CAPTURE(i);
        Frames frames;
        for (std::size_t j = 0; j < good.size(); ++j) {
            std::string part = text(good[j]);
            if (j == i) part.pop_back();
            frames.emplace_back(part.data(), part.size());
        }
        CHECK_FALSE(decode(frames).message);
    }
}

TEST_CASE("Codec: random bytes never decode and never crash") {
    std::mt19937 generator(20261127);
    std::uniform_int_distribution<int> frame_count(0, 8);
    std::uniform_int_distribution<int> frame_size(0, 64);
    std::uniform_int_distribution<int> byte(0, 255);
    int task_name_errors = 0;
    for (int round = 0; round < 2000; ++round) {
        Frames frames;
        int count = frame_count(generator);
        for (int i = 0; i < count; ++i) {
            std::string part(frame_size(generator), '\0');
            for (char& c : part) c = static_cast<char>(byte(generator));
            // Half the time, start like a real message so the deeper checks run.
            if (i == 0 && round % 2 == 0) part = "FQ/1";
            if (i == 1 && round % 4 == 0) part = "SUBMIT";
            if (i == 2 && round % 8 == 0) part = kId;
            frames.emplace_back(part.data(), part.size());
        }
        DecodeResult decoded = decode(frames);
        INFO("round " << round);
        CHECK_FALSE(decoded.message.has_value());
        CHECK_FALSE(decoded.error.empty());
        if (decoded.error.rfind("invalid task name", 0) == 0) ++task_name_errors;
    }
    // The rounds that start like a SUBMIT get past the version, type, frame
    // count and task id checks to the task name's.
    CHECK(task_name_errors > 0);
}

TEST_CASE("record_to_cli_json: one object with nulls for absent values") {
    TaskRecord record = finished_record();
    auto json = record_to_cli_json(record);
    CHECK(json.size() == 12);
    CHECK(json["scheduled_for"].is_null());
    CHECK(json["task_id"] == kId);
    CHECK(json["task_name"] == "mytasks.add");
    CHECK(json["priority"] == "high");
    CHECK(json["status"] == "success");
    CHECK(json["result"] == nlohmann::json{{"sum", 5}});
    CHECK(json["error"].is_null());
    CHECK(json["attempts"] == 2);
    CHECK(json["worker_id"] == "subworker1");
    CHECK(json["submitted_at"] == "2026-11-27T23:00:00.000001Z");

    record.result = "not json";
    CHECK(record_to_cli_json(record)["result"] == "not json");

    // A result nested millions deep (a plugin may return any bytes) is shown
    // as the string it is: parsed, copying and writing it would recurse past
    // the end of the stack.
    const std::string deep = std::string(4'000'000, '[') + std::string(4'000'000, ']');
    record.result = deep;
    const auto deep_json = record_to_cli_json(record);
    CHECK(deep_json["result"] == deep);
    CHECK(deep_json.dump().size() > deep.size());
    record.result = std::string(1024, '[') + std::string(1024, ']');
    CHECK(record_to_cli_json(record)["result"].is_array());

    TaskRecord queued;
    queued.task_id = kId;
    queued.task_name = "sleep";
    auto queued_json = record_to_cli_json(queued);
    CHECK(queued_json["status"] == "queued");
    CHECK(queued_json["result"].is_null());
    CHECK(queued_json["started_at"].is_null());
    CHECK(queued_json["finished_at"].is_null());
    CHECK(queued_json["worker_id"].is_null());
    CHECK_NOTHROW((void)queued_json.dump());
}

TEST_CASE("record metadata: progress round-trips and is validated") {
    using namespace fastqueue;
    TaskRecord record;
    record.task_id = "6f1c1f1e-2b53-4b8e-9c55-3c8f3f5d2a71";
    record.task_name = "sleep";
    record.state = TaskState::running;
    record.attempts = 1;
    record.worker_id = "control-plane";
    record.submitted_at = Clock::now();
    record.progress = 0.25;
    auto metadata = protocol::record_metadata_to_json(record);
    auto parsed = protocol::record_metadata_from_json(metadata);
    REQUIRE(parsed);
    REQUIRE(parsed->progress);
    CHECK(*parsed->progress == doctest::Approx(0.25));

    record.progress.reset();
    CHECK_FALSE(protocol::record_metadata_to_json(record).contains("progress"));

    metadata["progress"] = 1.5;
    std::string error;
    CHECK_FALSE(protocol::record_metadata_from_json(metadata, &error));
    CHECK(error.find("progress") != std::string::npos);
}

// ---- Subworker management, monitoring and discovery messages.

namespace {

constexpr const char* kWorker = "sw-1.eu:a_b";

Register sample_register() {
    Register message;
    message.worker_id = kWorker;
    message.address = "tcp://127.0.0.1:6000";
    message.capacity = 8;
    message.prefetch = 2;
    message.task_names = {"add", "mytasks.sleep", "a:b-c_d.e"};
    return message;
}

// The frames of sample_register() with frame `index` replaced by `value`.
Frames register_with(std::size_t index, const std::string& value) {
    Frames good = encode(Message(sample_register()));
    Frames frames;
    for (std::size_t i = 0; i < good.size(); ++i) {
        std::string part = i == index ? value : text(good[i]);
        frames.emplace_back(part.data(), part.size());
    }
    return frames;
}

// decode() of frames the caller does not need back.
DecodeResult decode_owned(Frames frames) { return decode(frames); }

std::string frames_text(const Frames& frames) {
    std::string joined;
    for (const auto& frame : frames) joined += text(frame) + "|";
    return joined;
}

}  // namespace

TEST_CASE("Codec: REGISTER round-trips and its frames are exactly as documented") {
    Register back = round_trip(sample_register());
    CHECK(back.worker_id == kWorker);
    CHECK(back.address == "tcp://127.0.0.1:6000");
    CHECK(back.capacity == 8);
    CHECK(back.prefetch == 2);
    CHECK(back.task_names == std::vector<std::string>{"add", "mytasks.sleep", "a:b-c_d.e"});

    Frames frames = encode(Message(sample_register()));
    CHECK(frames_text(frames) ==
          "FQ/1|REGISTER|sw-1.eu:a_b|tcp://127.0.0.1:6000|8|2|"
          "[\"add\",\"mytasks.sleep\",\"a:b-c_d.e\"]|");

    Register edges = sample_register();
    edges.capacity = 1024;
    edges.prefetch = 0;
    edges.task_names.clear();
    Register edges_back = round_trip(std::move(edges));
    CHECK(edges_back.capacity == 1024);
    CHECK(edges_back.prefetch == 0);
    CHECK(edges_back.task_names.empty());
}

TEST_CASE("Codec: REGISTER's optional 8th frame carries the subworker's max_payload_bytes") {
    // Absent: a subworker that predates the frame.
    CHECK_FALSE(round_trip(sample_register()).max_payload_bytes.has_value());

    Register with_limit = sample_register();
    with_limit.max_payload_bytes = 16777216;
    CHECK(frames_text(encode(Message(Register(with_limit)))) ==
          "FQ/1|REGISTER|sw-1.eu:a_b|tcp://127.0.0.1:6000|8|2|"
          "[\"add\",\"mytasks.sleep\",\"a:b-c_d.e\"]|16777216|");
    CHECK(round_trip(std::move(with_limit)).max_payload_bytes == 16777216u);

    Frames good = encode(Message(sample_register()));
    const auto with_frame = [&](const std::string& value) {
        Frames frames;
        for (const auto& frame : good) frames.emplace_back(frame.data(), frame.size());
        frames.emplace_back(value.data(), value.size());
        return frames;
    };
    CHECK(std::get<Register>(*decode_owned(with_frame("1")).message).max_payload_bytes == 1u);
    CHECK(std::get<Register>(
              *decode_owned(with_frame(std::to_string(kLargestMaxPayloadBytes))).message)
              .max_payload_bytes == kLargestMaxPayloadBytes);
    for (const std::string& bad :
         {std::string(""), std::string("0"), std::string("01"), std::string("-1"),
          std::string("16 MiB"), std::to_string(std::uint64_t{kLargestMaxPayloadBytes} + 1)}) {
        CAPTURE(bad);
        check_rejected(with_frame(bad), "max_payload_bytes");
    }
    Frames nine = with_frame("1024");
    nine.emplace_back();
    check_rejected(std::move(nine), "REGISTER has 9 frames, expected 7 or 8");
}

TEST_CASE("Codec: HEARTBEAT's optional 5th frame carries the subworker's task process restarts") {
    // Absent: the control plane's heartbeat, or a subworker that predates
    // the frame.
    CHECK_FALSE(round_trip(Heartbeat{kWorker, 3, std::nullopt}).task_process_restarts.has_value());
    CHECK(frames_text(encode(Message(Heartbeat{kWorker, 3, std::nullopt}))) ==
          "FQ/1|HEARTBEAT|sw-1.eu:a_b|3|");

    CHECK(frames_text(encode(Message(Heartbeat{kWorker, 3, 7}))) ==
          "FQ/1|HEARTBEAT|sw-1.eu:a_b|3|7|");
    Heartbeat back = round_trip(Heartbeat{kWorker, 3, 7});
    CHECK(back.load == 3);
    CHECK(back.task_process_restarts == 7u);
    CHECK(round_trip(Heartbeat{kWorker, 0, 0}).task_process_restarts == 0u);
    CHECK(round_trip(Heartbeat{kWorker, 0, kMaxTaskProcessRestarts}).task_process_restarts ==
          kMaxTaskProcessRestarts);

    for (const std::string& bad :
         {std::string(""), std::string("01"), std::string("-1"), std::string("+1"),
          std::string("1 "), std::string("0x1"), std::string("1e3"),
          std::to_string(std::uint64_t{kMaxTaskProcessRestarts} + 1), std::string(11, '1'),
          std::string(5000, '9')}) {
        CAPTURE(bad);
        check_rejected(frames_of({"FQ/1", "HEARTBEAT", kWorker, "0", bad}),
                       "task_process_restarts");
    }
    check_rejected(frames_of({"FQ/1", "HEARTBEAT", kWorker, "0", "1", ""}),
                   "HEARTBEAT has 6 frames, expected 4 or 5");
}

TEST_CASE("Codec: the subworker, monitoring and discovery answers round-trip") {
    Registered registered = round_trip(Registered{kWorker, 3600000, 1000});
    CHECK(registered.worker_id == kWorker);
    CHECK(registered.heartbeat_interval_ms == 3600000);
    CHECK(registered.heartbeat_liveness == 1000);
    CHECK(frames_text(encode(Message(Registered{kWorker, 250, 3}))) ==
          "FQ/1|REGISTERED|sw-1.eu:a_b|250|3|");

    RegisterRefused refused = round_trip(RegisterRefused{kWorker, "worker id 'sw-1' is in use"});
    CHECK(refused.worker_id == kWorker);
    CHECK(refused.reason == "worker id 'sw-1' is in use");

    Heartbeat heartbeat = round_trip(Heartbeat{kWorker, 1000000, std::nullopt});
    CHECK(heartbeat.worker_id == kWorker);
    CHECK(heartbeat.load == 1000000);
    CHECK(frames_text(encode(Message(Heartbeat{kWorker, 0, std::nullopt}))) ==
          "FQ/1|HEARTBEAT|sw-1.eu:a_b|0|");

    CHECK(round_trip(Deregister{kWorker}).worker_id == kWorker);
    CHECK(round_trip(Reregister{kWorker}).worker_id == kWorker);
    CHECK(frames_text(encode(Message(Deregister{kWorker}))) == "FQ/1|DEREGISTER|sw-1.eu:a_b|");
    CHECK(frames_text(encode(Message(Reregister{kWorker}))) == "FQ/1|REREGISTER|sw-1.eu:a_b|");

    round_trip(WorkersQuery{});
    CHECK(frames_text(encode(Message(WorkersQuery{}))) == "FQ/1|WORKERS|");
    std::string status = "{\"total_subworkers\":0,\"active_subworkers\":0,\"subworkers\":{}}";
    CHECK(round_trip(WorkersReply{status}).status_json == status);
    CHECK(frames_text(encode(Message(WorkersReply{status}))) ==
          "FQ/1|WORKERS_REPLY|" + status + "|");

    Announce announce = round_trip(Announce{"cp-1", "tcp://10.0.0.7:5555", 5560});
    CHECK(announce.worker_id == "cp-1");
    CHECK(announce.base_address == "tcp://10.0.0.7:5555");
    CHECK(announce.subworker_port == 5560);
    CHECK(frames_text(encode(Message(Announce{"cp-1", "tcp://10.0.0.7:5555", 7000}))) ==
          "FQ/1|ANNOUNCE|cp-1|tcp://10.0.0.7:5555|7000|");
}

TEST_CASE("Codec: message_type_name names each subworker message as on the wire") {
    CHECK(message_type_name(Message(sample_register())) == "REGISTER");
    CHECK(message_type_name(Message(Registered{})) == "REGISTERED");
    CHECK(message_type_name(Message(RegisterRefused{})) == "REGISTER_REFUSED");
    CHECK(message_type_name(Message(Heartbeat{})) == "HEARTBEAT");
    CHECK(message_type_name(Message(Deregister{})) == "DEREGISTER");
    CHECK(message_type_name(Message(Reregister{})) == "REREGISTER");
    CHECK(message_type_name(Message(WorkersQuery{})) == "WORKERS");
    CHECK(message_type_name(Message(WorkersReply{})) == "WORKERS_REPLY");
    CHECK(message_type_name(Message(Announce{})) == "ANNOUNCE");
}

TEST_CASE("Codec: each subworker message needs exactly its number of frames") {
    check_rejected(frames_of({"FQ/1", "REGISTER", kWorker, "tcp://h:1", "1", "0"}),
                   "REGISTER has 6 frames, expected 7 or 8");
    check_rejected(
        frames_of({"FQ/1", "REGISTER", kWorker, "tcp://h:1", "1", "0", "[]", "1024", ""}),
        "REGISTER has 9 frames, expected 7 or 8");
    check_rejected(frames_of({"FQ/1", "REGISTERED", kWorker, "1000"}),
                   "REGISTERED has 4 frames, expected 5");
    check_rejected(frames_of({"FQ/1", "REGISTER_REFUSED", kWorker}),
                   "REGISTER_REFUSED has 3 frames, expected 4");
    check_rejected(frames_of({"FQ/1", "HEARTBEAT", kWorker}),
                   "HEARTBEAT has 3 frames, expected 4 or 5");
    check_rejected(frames_of({"FQ/1", "DEREGISTER"}), "DEREGISTER has 2 frames, expected 3");
    check_rejected(frames_of({"FQ/1", "REREGISTER", kWorker, ""}),
                   "REREGISTER has 4 frames, expected 3");
    check_rejected(frames_of({"FQ/1", "WORKERS", ""}), "WORKERS has 3 frames, expected 2");
    check_rejected(frames_of({"FQ/1", "WORKERS_REPLY"}), "WORKERS_REPLY has 2 frames, expected 3");
    check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://h:1"}),
                   "ANNOUNCE has 4 frames, expected 5");
    check_rejected(frames_of({"FQ/2", "HEARTBEAT", kWorker, "0"}), "unsupported protocol version");
}

TEST_CASE("Codec: worker ids follow the task-name rule in every subworker message") {
    std::string too_long(kMaxTaskNameBytes + 1, 'w');
    for (const std::string& bad : {std::string(""), std::string("sw 1"), std::string("sw/1"),
                                   std::string("s\xc3\xa9"), too_long}) {
        CAPTURE(bad);
        check_rejected(register_with(2, bad), "invalid worker id");
        check_rejected(frames_of({"FQ/1", "REGISTERED", bad, "1000", "3"}), "invalid worker id");
        check_rejected(frames_of({"FQ/1", "REGISTER_REFUSED", bad, "no"}), "invalid worker id");
        check_rejected(frames_of({"FQ/1", "HEARTBEAT", bad, "0"}), "invalid worker id");
        check_rejected(frames_of({"FQ/1", "DEREGISTER", bad}), "invalid worker id");
        check_rejected(frames_of({"FQ/1", "REREGISTER", bad}), "invalid worker id");
        check_rejected(frames_of({"FQ/1", "ANNOUNCE", bad, "tcp://h:1", "6"}), "invalid worker id");
    }
    std::string longest(kMaxTaskNameBytes, 'w');
    CHECK(round_trip(Deregister{longest}).worker_id == longest);
}

TEST_CASE("Codec: a worker id is never taken for a task id in the error reply") {
    // A worker id may look like a UUID; only task-carrying messages fill
    // DecodeResult::task_id.
    Frames frames = frames_of({"FQ/1", "HEARTBEAT", kId, "x"});
    DecodeResult decoded = decode(frames);
    CHECK_FALSE(decoded.message);
    CHECK(decoded.task_id.empty());
}

TEST_CASE("Codec: decimal numbers are digits only, canonical and within their range") {
    // REGISTER capacity (frame 4) is 1..1024.
    for (const char* bad : {"", "0", "1025", "-1", "+1", "1x", " 1", "1 ", "01", "0x10", "1.0",
                            "1e3", "99999999999", "4294967297", "\xef\xbc\x91"}) {
        CAPTURE(bad);
        check_rejected(register_with(4, bad), "capacity");
    }
    CHECK(std::get<Register>(*decode_owned(register_with(4, "1")).message).capacity == 1);
    // prefetch (frame 5) is 0..1024.
    for (const char* bad : {"", "1025", "-1", "+0", "00", "2x", "99999999999"}) {
        CAPTURE(bad);
        check_rejected(register_with(5, bad), "prefetch");
    }
    // REGISTERED: interval 1..3600000, liveness 1..1000.
    check_rejected(frames_of({"FQ/1", "REGISTERED", kWorker, "0", "3"}), "heartbeat_interval_ms");
    check_rejected(frames_of({"FQ/1", "REGISTERED", kWorker, "3600001", "3"}),
                   "heartbeat_interval_ms");
    check_rejected(frames_of({"FQ/1", "REGISTERED", kWorker, "-1000", "3"}),
                   "heartbeat_interval_ms");
    check_rejected(frames_of({"FQ/1", "REGISTERED", kWorker, "1000", "0"}), "heartbeat_liveness");
    check_rejected(frames_of({"FQ/1", "REGISTERED", kWorker, "1000", "1001"}),
                   "heartbeat_liveness");
    check_rejected(frames_of({"FQ/1", "REGISTERED", kWorker, "1000", "3s"}), "heartbeat_liveness");
    // HEARTBEAT load: 0..1000000.
    check_rejected(frames_of({"FQ/1", "HEARTBEAT", kWorker, "1000001"}), "load");
    check_rejected(frames_of({"FQ/1", "HEARTBEAT", kWorker, "-1"}), "load");
    check_rejected(frames_of({"FQ/1", "HEARTBEAT", kWorker, ""}), "load");
    check_rejected(frames_of({"FQ/1", "HEARTBEAT", kWorker, "99999999999"}), "load");
    // ANNOUNCE subworker_port: 1..65535.
    check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://h:5555", "0"}), "subworker_port");
    check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://h:5555", "65536"}),
                   "subworker_port");
    check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://h:5555", "+5560"}),
                   "subworker_port");
    Frames max_port = frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://h:5555", "65535"});
    DecodeResult decoded = decode(max_port);
    REQUIRE(decoded.message);
    CHECK(std::get<Announce>(*decoded.message).subworker_port == 65535);
}

TEST_CASE("Codec: REGISTER tasks are a JSON array of distinct valid task names") {
    check_rejected(register_with(6, ""), "task list is not a JSON array");
    check_rejected(register_with(6, "{\"add\":1}"), "task list is not a JSON array");
    check_rejected(register_with(6, "\"add\""), "task list is not a JSON array");
    check_rejected(register_with(6, "[\"add\""), "task list is not a JSON array");
    check_rejected(register_with(6, "[\"add\",1]"), "invalid task name");
    check_rejected(register_with(6, "[\"add\",null]"), "invalid task name");
    check_rejected(register_with(6, "[\"add\",\"bad name\"]"), "invalid task name");
    check_rejected(register_with(6, "[\"\"]"), "invalid task name");
    check_rejected(register_with(6, "[\"" + std::string(kMaxTaskNameBytes + 1, 'n') + "\"]"),
                   "invalid task name");
    check_rejected(register_with(6, "[\"add\",\"sub\",\"add\"]"), "names 'add' twice");

    nlohmann::json many = nlohmann::json::array();
    for (std::size_t i = 0; i < kMaxTaskNames; ++i) many.push_back("t" + std::to_string(i));
    Frames at_limit = register_with(6, many.dump());
    DecodeResult decoded = decode(at_limit);
    INFO(decoded.error);
    REQUIRE(decoded.message);
    CHECK(std::get<Register>(*decoded.message).task_names.size() == kMaxTaskNames);
    many.push_back("one_more");
    check_rejected(register_with(6, many.dump()), "at most 10000");
    check_rejected(register_with(6, "[" + std::string(kMaxTaskListBytes, ' ') + "]"),
                   "task list is longer than");
}

TEST_CASE("Codec: a REGISTER task list nested past 1 level is refused, however deep") {
    using test::nested_arrays;
    using test::nested_objects;
    const std::string reason = "task list is nested deeper than 1 level";
    check_rejected(register_with(6, nested_arrays(test::kHostileNesting)), reason);
    check_rejected(register_with(6, nested_arrays(test::kHostileNesting, "\"add\"")), reason);
    check_rejected(register_with(6, nested_arrays(2, "\"add\"")), reason);
    check_rejected(register_with(6, "[\"add\"," + nested_objects(1) + "]"), reason);
    check_rejected(register_with(6, "[\"add\",[]]"), reason);
    // An element that is not a name is described by its type, never written out.
    check_rejected(register_with(6, "[\"add\",true]"), "invalid task name of type boolean");
    // At the bound: a flat array of names still decodes.
    DecodeResult flat = decode_owned(register_with(6, "[\"add\",\"sub\"]"));
    INFO(flat.error);
    REQUIRE(flat.message);
    CHECK(std::get<Register>(*flat.message).task_names == std::vector<std::string>{"add", "sub"});
}

TEST_CASE("Codec: a WORKERS_REPLY status nested past 3 levels is refused, however deep") {
    using test::nested_objects;
    const std::string reason = "status is nested deeper than 3 levels";
    check_rejected(frames_of({"FQ/1", "WORKERS_REPLY", nested_objects(test::kHostileNesting)}),
                   reason);
    check_rejected(frames_of({"FQ/1", "WORKERS_REPLY", nested_objects(4)}), reason);
    check_rejected(
        frames_of({"FQ/1", "WORKERS_REPLY", "{\"a\":" + test::nested_arrays(3, "1") + "}"}),
        reason);
    // At the bound: the status object, "subworkers" and a subworker's object.
    CHECK(decode_owned(frames_of({"FQ/1", "WORKERS_REPLY", nested_objects(3)})).message);
}

TEST_CASE("Codec: RESULT/RECORD metadata holding an array or object is refused, however deep") {
    using test::nested_arrays;
    using test::nested_objects;
    const std::string reason = "metadata is nested deeper than 1 level";
    for (const char* type : {"RESULT", "RECORD"}) {
        CAPTURE(type);
        auto with_metadata = [type](const std::string& metadata) {
            return frames_of({"FQ/1", type, kId, metadata, ""});
        };
        check_rejected(with_metadata(nested_objects(test::kHostileNesting)), reason);
        check_rejected(with_metadata(nested_arrays(test::kHostileNesting)), reason);
        check_rejected(with_metadata(metadata_with("extra", nlohmann::json::object())), reason);
        check_rejected(with_metadata(metadata_with("extra", nlohmann::json::array({1}))), reason);
        check_rejected(
            with_metadata(metadata_with("extra", nlohmann::json::parse(nested_objects(50)))),
            reason);
        check_rejected(with_metadata("[[]]"), reason);
    }
}

TEST_CASE("Codec: SUBMIT options nested past 1 level are refused, however deep") {
    auto with_options = [](const std::string& options) {
        return frames_of({"FQ/1", "SUBMIT", kId, "add", "\x02", "", options});
    };
    const std::string reason = "options frame is nested deeper than 1 level";
    // Sizes are checked first: a deeply nested frame is longer than allowed.
    check_rejected(with_options(test::nested_objects(test::kHostileNesting)),
                   "options frame is longer than 1024");
    check_rejected(with_options(test::nested_arrays(500)), reason);
    check_rejected(with_options(R"({"timeout_ms":[5]})"), reason);
    check_rejected(with_options(R"({"eta":{}})"), reason);
    Frames flat = with_options(R"({"timeout_ms":5})");
    DecodeResult decoded = decode(flat);
    INFO(decoded.error);
    REQUIRE(decoded.message);
    CHECK(std::get<Submit>(*decoded.message).options.timeout_ms == 5);
}

TEST_CASE("Codec: addresses must be connectable tcp://HOST:PORT with room for their ports") {
    for (const char* bad : {"", "127.0.0.1:6000", "ipc:///tmp/x", "tcp://:6000", "tcp://h",
                            "tcp://h:0", "tcp://h:65536", "tcp://h:6x"}) {
        CAPTURE(bad);
        check_rejected(register_with(3, bad), "invalid address");
        check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", bad, "5560"}), "invalid base address");
    }
    check_rejected(register_with(3, "tcp://*:6000"), "wildcard host");
    check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://*:5555", "5560"}), "wildcard host");
    // A subworker serves base+0..3; a control plane's base address has base+0..4.
    check_rejected(register_with(3, "tcp://h:65533"), "port must be at most 65532");
    CHECK(decode_owned(register_with(3, "tcp://[::1]:65532")).message);
    check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://h:65532", "5560"}),
                   "port must be at most 65531");
    check_rejected(register_with(3, "tcp://" + std::string(kMaxAddressBytes, 'h') + ":1"),
                   "address is longer than");
}

TEST_CASE("Codec: a REGISTER address names a host the control plane can connect to") {
    // Malformed hosts: the grammar of docs/protocol.md, Addresses.
    for (const char* bad : {"tcp://[:::::]:43900", "tcp://[1::2::3]:6000", "tcp://256.0.0.1:6000",
                            "tcp://1.2.3:6000", "tcp://a..b:6000", "tcp://-a:6000"}) {
        CAPTURE(bad);
        check_rejected(register_with(3, bad), "invalid address");
        check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", bad, "5560"}), "invalid base address");
    }
    // Well formed, but nothing a peer connects to.
    for (const char* bad :
         {"tcp://0.0.0.0:6000", "tcp://[::]:6000", "tcp://[::ffff:0.0.0.0]:6000"}) {
        CAPTURE(bad);
        check_rejected(register_with(3, bad), "unspecified address");
    }
    for (const char* bad :
         {"tcp://224.0.0.1:6000", "tcp://239.255.255.255:6000", "tcp://[ff02::1]:6000"}) {
        CAPTURE(bad);
        check_rejected(register_with(3, bad), "multicast");
        check_rejected(frames_of({"FQ/1", "ANNOUNCE", "cp", bad, "5560"}), "multicast");
    }
    // A control plane bound to every interface announces that; its
    // subscribers replace the host (docs/protocol.md, Discovery).
    CHECK(
        decode_owned(frames_of({"FQ/1", "ANNOUNCE", "cp", "tcp://0.0.0.0:5555", "5560"})).message);
    for (const char* good : {"tcp://10.0.0.12:6000", "tcp://[fe80::1]:6000", "tcp://worker-7:6000",
                             "tcp://223.255.255.255:6000", "tcp://240.0.0.1:6000"}) {
        CAPTURE(good);
        CHECK(decode_owned(register_with(3, good)).message);
    }
}

TEST_CASE("Codec: REGISTER_REFUSED reason and WORKERS_REPLY status are bounded and checked") {
    check_rejected(frames_of({"FQ/1", "REGISTER_REFUSED", kWorker, "\xff"}), "not valid UTF-8");
    check_rejected(frames_of({"FQ/1", "REGISTER_REFUSED", kWorker, std::string(4097, 'r')}),
                   "longer than 4096 bytes");
    RegisterRefused long_reason{kWorker, std::string(5000, 'r')};
    CHECK(round_trip(std::move(long_reason)).reason.size() == kMaxTextBytes);

    check_rejected(frames_of({"FQ/1", "WORKERS_REPLY", ""}), "status is not a UTF-8 JSON object");
    check_rejected(frames_of({"FQ/1", "WORKERS_REPLY", "[]"}), "status is not a UTF-8 JSON object");
    check_rejected(frames_of({"FQ/1", "WORKERS_REPLY", "{\"a\":\"\xff\"}"}),
                   "status is not a UTF-8 JSON object");
    std::string padded = "{\"pad\":\"" + std::string(kMaxStatusBytes, 'p') + "\"}";
    check_rejected(frames_of({"FQ/1", "WORKERS_REPLY", padded}), "status is longer than");
}

TEST_CASE("Codec: SUBMIT options travel in a 7th frame announced by flag bit 1") {
    Submit submit;
    submit.task_id = kId;
    submit.task_name = "add";
    submit.wants_result = true;
    submit.options.timeout_ms = 2500;
    submit.options.default_timeout_ms = 9000;
    submit.options.max_retries = 3;
    submit.options.retry_backoff_ms = 50;
    submit.options.countdown_ms = 1200;

    Frames frames =
        encode(Message(Submit{submit.task_id, submit.task_name, true, {}, submit.options}));
    REQUIRE(frames.size() == 7);
    CHECK(text(frames[4]) == std::string(1, '\x03'));
    CHECK(nlohmann::json::parse(text(frames[6])) == nlohmann::json{{"timeout_ms", 2500},
                                                                   {"default_timeout_ms", 9000},
                                                                   {"max_retries", 3},
                                                                   {"retry_backoff_ms", 50},
                                                                   {"countdown_ms", 1200}});

    Submit back = round_trip(Submit{submit.task_id, submit.task_name, true, {}, submit.options});
    CHECK(back.options == submit.options);

    SubmitOptions at_eta;
    at_eta.eta = *parse_timestamp("2026-11-28T09:30:00.250000Z");
    CHECK(round_trip(Submit{kId, "add", false, {}, at_eta}).options == at_eta);

    // No options: the 6 frames of protocol 1 as before.
    CHECK(encode(Message(Submit{kId, "add", false, {}, {}})).size() == 6);
}

TEST_CASE("Codec: SUBMIT options are validated member by member") {
    auto with_options = [](const std::string& options) {
        return frames_of({"FQ/1", "SUBMIT", kId, "add", "\x02", "", options});
    };
    check_rejected(with_options("[1]"), "options frame is not a UTF-8 JSON object");
    check_rejected(with_options("{"), "options frame is not a UTF-8 JSON object");
    check_rejected(with_options(R"({"timeout":5})"), "unknown option 'timeout'");
    check_rejected(with_options(R"({"timeout_ms":0})"),
                   "option 'timeout_ms' must be an integer in 1..");
    check_rejected(with_options(R"({"timeout_ms":-5})"), "option 'timeout_ms'");
    check_rejected(with_options(R"({"timeout_ms":1.5})"), "option 'timeout_ms'");
    check_rejected(with_options(R"({"timeout_ms":"5"})"), "option 'timeout_ms'");
    check_rejected(with_options(R"({"timeout_ms":604800001})"), "option 'timeout_ms'");
    check_rejected(with_options(R"({"max_retries":101})"),
                   "option 'max_retries' must be an integer in 0..100");
    check_rejected(with_options(R"({"retry_backoff_ms":3600001})"), "option 'retry_backoff_ms'");
    check_rejected(with_options(R"({"countdown_ms":2592000001})"), "option 'countdown_ms'");
    check_rejected(with_options(R"({"eta":"tomorrow"})"), "option 'eta' must be a UTC timestamp");
    check_rejected(with_options(R"({"eta":""})"), "option 'eta' must be a UTC timestamp");
    check_rejected(with_options(R"({"eta":"2026-11-28T09:30:00.000000Z","countdown_ms":5})"),
                   "exclude each other");
    check_rejected(with_options(std::string(1100, ' ') + "{}"),
                   "options frame is longer than 1024");

    Frames empty_options = with_options("{}");
    DecodeResult empty = decode(empty_options);
    REQUIRE(empty.message);
    CHECK(std::get<Submit>(*empty.message).options == SubmitOptions{});
}

TEST_CASE("record metadata: retryable and scheduled_for round-trip and are validated") {
    TaskRecord waiting = finished_record();
    waiting.state = TaskState::scheduled;
    waiting.result.clear();
    waiting.error = "database busy";
    waiting.retryable = true;
    waiting.scheduled_for = *parse_timestamp("2026-11-28T09:30:00.250000Z");
    Record back = round_trip(Record{waiting});
    CHECK(back.record.state == TaskState::scheduled);
    CHECK(back.record.error == "database busy");
    CHECK(back.record.retryable);
    CHECK(back.record.scheduled_for == waiting.scheduled_for);
    CHECK(record_to_cli_json(waiting)["scheduled_for"] == "2026-11-28T09:30:00.250000Z");

    // Absent members read as not set.
    Record plain = round_trip(Record{finished_record()});
    CHECK_FALSE(plain.record.retryable);
    CHECK(plain.record.scheduled_for == Timestamp{});

    auto record_frames = [](const std::string& metadata) {
        return frames_of({"FQ/1", "RECORD", kId, metadata, ""});
    };
    auto metadata = record_metadata_to_json(finished_record());
    metadata["result"] = nullptr;
    metadata["retryable"] = "yes";
    check_rejected(record_frames(metadata.dump()), "'retryable' must be true or false");
    metadata["retryable"] = true;
    check_rejected(record_frames(metadata.dump()), "'retryable' is true but status is 'success'");
    metadata.erase("retryable");
    metadata["scheduled_for"] = "soon";
    check_rejected(record_frames(metadata.dump()), "'scheduled_for' is not a UTC timestamp");
}

TEST_CASE("Codec: encode_result sends shared result bytes in place, without a copy") {
    TaskRecord record = finished_record();
    TrackedBytes source(std::string(65'536, 'r'));
    auto result = std::make_unique<SharedBytes>(SharedBytes::from_frame(source.lend_as_frame()));
    record.result = "ignored";
    Frames frames = encode_result(record, *result);
    REQUIRE(frames.size() == 5);
    CHECK(frames[4].data() == static_cast<const void*>(source.bytes.data()));
    result.reset();
    CHECK_FALSE(source.is_released);  // the frame holds a reference until it is sent

    auto decoded = decode(frames);
    REQUIRE(decoded.message);
    const auto& back = std::get<Result>(*decoded.message).record;
    CHECK(back.result == source.bytes);
    CHECK(back.task_id == record.task_id);
    CHECK(back.finished_at == record.finished_at);
    frames.clear();
    CHECK(source.is_released);
}

TEST_CASE("Codec: a RESULT decoded with ResultBytes::in_frame keeps its bytes in their frame") {
    TaskRecord record = finished_record();
    record.result = std::string(65'536, 'k');
    Frames frames = encode(Result{record, zmq::message_t()});
    const void* sent_bytes = frames[4].data();
    auto decoded = decode(frames, ResultBytes::in_frame);
    REQUIRE(decoded.message);
    auto& result = std::get<Result>(*decoded.message);
    CHECK(result.record.result.empty());
    CHECK(result.result_frame.data() == sent_bytes);  // moved, not copied
    CHECK(result.result_frame.to_string_view() == record.result);
    CHECK(result.record.task_id == record.task_id);
    CHECK(result.record.state == TaskState::success);

    // By default the bytes are the record's (a client keeps the record).
    Frames again = encode(Result{record, zmq::message_t()});
    auto copied = decode(again);
    REQUIRE(copied.message);
    CHECK(std::get<Result>(*copied.message).record.result == record.result);
    CHECK(std::get<Result>(*copied.message).result_frame.size() == 0);

    // The checks are the same either way: bytes with a failure are refused.
    TaskRecord failed = finished_record();
    failed.state = TaskState::failure;
    failed.error = "boom";
    Frames bad = encode(Result{failed, zmq::message_t()});
    bad[4] = zmq::message_t(std::string_view("\"stray\""));
    auto refused = decode(bad, ResultBytes::in_frame);
    CHECK_FALSE(refused.message);
    CHECK(refused.error.find("only a successful task has a result") != std::string::npos);
}

// codec_test.cpp -- the wire format of protocol 1 (runtime/protocol/codec.cpp):
// every message survives encode -> decode, and every kind of malformed input
// is refused with a reason instead of being trusted.
#include "protocol/codec.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <random>
#include <string>

#include "protocol/record_json.hpp"

using namespace fastqueue;
using namespace fastqueue::protocol;

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
                   "SUBMIT has 5 frames, expected 6");
    check_rejected(frames_of({"FQ/1", "SUBMIT", kId, "add", std::string(1, '\0'), "", ""}),
                   "SUBMIT has 7 frames, expected 6");
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

TEST_CASE("Codec: the flags frame is exactly one byte with only bit 0 defined") {
    auto submit_flags = [](const std::string& flags) {
        return frames_of({"FQ/1", "SUBMIT", kId, "add", flags, ""});
    };
    check_rejected(submit_flags(""), "flags frame must be exactly 1 byte, got 0");
    check_rejected(submit_flags(std::string(2, '\0')), "flags frame must be exactly 1 byte, got 2");
    check_rejected(submit_flags("\x02"), "unknown flag bits");
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
        CHECK((decoded.message.has_value() || !decoded.error.empty()));
    }
}

TEST_CASE("record_to_cli_json: one object with nulls for absent values") {
    TaskRecord record = finished_record();
    auto json = record_to_cli_json(record);
    CHECK(json.size() == 11);
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

// bad_messages.cpp -- see bad_messages.hpp.
#include "harness/bad_messages.hpp"

#include <cctype>
#include <random>

#include "common/uuid.hpp"
#include "harness/wire_client.hpp"
#include "transport/frame_limits.hpp"

namespace fastqueue::e2e {
namespace {

constexpr const char* kNotFastQueue = "not a FastQueue message";
constexpr const char* kBadVersion = "unsupported protocol version";
constexpr const char* kBadTaskId = "invalid task id";
// Larger than any limit of a frame the codec reads, smaller than the
// priority ports' default frame limit (16 MiB + 4 KiB), so it arrives. The
// query and management ports take smaller frames (transport/frame_limits.hpp):
// their oversized frames are the largest that arrive.
constexpr std::size_t kOversizedFrameBytes = 4 * 1024 * 1024;

// Appends a message built around a fresh task id, so that a test can check
// the task never came to exist.
template <class Make>
void add_with_id(std::vector<BadMessage>& messages, std::string description, std::string reason,
                 Make make) {
    const std::string id = generate_uuid();
    messages.push_back({std::move(description), make(id), id, std::move(reason)});
}

std::vector<std::string> sample_submit(const std::string& id) {
    return submit_frames(id, "add", true, sample_payload());
}

// Makes a sample SUBMIT for an id with frames `a` and `b` swapped.
auto submit_with_swapped(std::size_t a, std::size_t b) {
    return [a, b](const std::string& id) {
        auto frames = sample_submit(id);
        std::swap(frames[a], frames[b]);
        return frames;
    };
}

// Makes a sample SUBMIT for an id with frame `index` replaced by `value`.
auto submit_with_frame(std::size_t index, std::string value) {
    return [index, value = std::move(value)](const std::string& id) {
        auto frames = sample_submit(id);
        frames[index] = value;
        return frames;
    };
}

// REGISTER frames for a subworker "intruder" at a loopback address.
std::vector<std::string> register_frames() {
    return {"FQ/1", "REGISTER", "intruder", "tcp://127.0.0.1:40000", "1", "0", "[\"add\"]"};
}

}  // namespace

std::string sample_payload() { return R"({"args":[1,2],"kwargs":{}})"; }

std::vector<BadMessage> bad_submissions(const std::string& wrong_kind_reason) {
    std::vector<BadMessage> messages;
    messages.push_back({"one garbage frame", {"hello there"}, "", kNotFastQueue});
    messages.push_back({"binary garbage",
                        {std::string("\x00\xff\xfe\x01", 4), std::string(3, '\0')},
                        "",
                        kNotFastQueue});
    messages.push_back({"one empty frame", {""}, "", kNotFastQueue});
    messages.push_back({"an oversized garbage frame",
                        {std::string(kOversizedFrameBytes, 'z')},
                        "",
                        kNotFastQueue});
    messages.push_back({"200 frames", std::vector<std::string>(200, "frame"), "", kNotFastQueue});
    add_with_id(messages, "wrong protocol id", kNotFastQueue, submit_with_frame(0, "XQ/1"));
    add_with_id(messages, "wrong protocol version", kBadVersion, submit_with_frame(0, "FQ/2"));
    add_with_id(messages, "truncated protocol id", kBadVersion, submit_with_frame(0, "FQ/"));
    messages.push_back({"protocol id alone", {"FQ/1"}, "", "no type frame"});
    add_with_id(messages, "unknown message type", "unknown message type",
                submit_with_frame(1, "SUBMITT"));
    add_with_id(messages, "SUBMIT with a frame missing", "SUBMIT has 5 frames, expected 6",
                [](const std::string& id) {
                    auto frames = sample_submit(id);
                    frames.pop_back();
                    return frames;
                });
    add_with_id(messages, "SUBMIT with an extra frame",
                "SUBMIT has 7 frames, but flags announce no options frame",
                [](const std::string& id) {
                    auto frames = sample_submit(id);
                    frames.push_back("extra");
                    return frames;
                });
    add_with_id(messages, "SUBMIT with two extra frames", "SUBMIT has 8 frames, expected 6 or 7",
                [](const std::string& id) {
                    auto frames = sample_submit(id);
                    frames.push_back("extra");
                    frames.push_back("extra");
                    return frames;
                });
    add_with_id(messages, "SUBMIT with a bad options frame", "unknown option 'retries'",
                [](const std::string& id) {
                    auto frames = sample_submit(id);
                    frames[4] = std::string(1, '\x03');
                    frames.push_back(R"({"retries":3})");
                    return frames;
                });
    add_with_id(messages, "valid frames in the wrong order (type first)", kNotFastQueue,
                submit_with_swapped(0, 1));
    add_with_id(messages, "valid frames in the wrong order (name before id)", kBadTaskId,
                submit_with_swapped(2, 3));
    messages.push_back({"SUBMIT with a task id that is not a UUID",
                        submit_frames("not-a-uuid", "add", true, sample_payload()), "",
                        kBadTaskId});
    add_with_id(messages, "SUBMIT with a truncated task id", kBadTaskId, [](const std::string& id) {
        return submit_frames(id.substr(0, 20), "add", true, sample_payload());
    });
    add_with_id(messages, "SUBMIT with an upper-case task id", kBadTaskId,
                [](const std::string& id) {
                    std::string upper = id;
                    for (char& c : upper)
                        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                    return submit_frames(upper, "add", true, sample_payload());
                });
    add_with_id(messages, "SUBMIT with an invalid task name", "invalid task name",
                [](const std::string& id) {
                    return submit_frames(id, "bad name!", true, sample_payload());
                });
    add_with_id(messages, "SUBMIT with an over-long task name", "invalid task name",
                [](const std::string& id) {
                    return submit_frames(id, std::string(300, 'a'), true, sample_payload());
                });
    add_with_id(messages, "SUBMIT with an empty (truncated) flags frame",
                "flags frame must be exactly 1 byte", submit_with_frame(4, ""));
    add_with_id(messages, "SUBMIT with a two-byte flags frame",
                "flags frame must be exactly 1 byte",
                submit_with_frame(4, std::string("\x01\x00", 2)));
    add_with_id(messages, "SUBMIT with unknown flag bits", "unknown flag bits",
                submit_with_frame(4, "\x80"));
    add_with_id(messages, "a server-to-client message (ACK) sent to the server", wrong_kind_reason,
                [](const std::string& id) {
                    return std::vector<std::string>{"FQ/1", "ACK", id};
                });
    return messages;
}

std::vector<BadMessage> bad_queries() {
    constexpr const char* kWrongKind =
        "only QUERY, CANCEL and WORKERS are accepted on the query port";
    std::vector<BadMessage> messages;
    messages.push_back({"one garbage frame", {"GET /status HTTP/1.1"}, "", kNotFastQueue});
    messages.push_back({"binary garbage", {std::string("\x00\x01\x02", 3)}, "", kNotFastQueue});
    messages.push_back({"an oversized garbage frame",
                        {std::string(static_cast<std::size_t>(kSmallFrameBytes), 'q')},
                        "",
                        kNotFastQueue});
    const std::string id = generate_uuid();
    messages.push_back({"wrong protocol id", {"ZZ/1", "QUERY", id}, "", kNotFastQueue});
    messages.push_back({"wrong protocol version", {"FQ/9", "QUERY", id}, "", kBadVersion});
    messages.push_back(
        {"valid frames in the wrong order", {"QUERY", "FQ/1", id}, "", kNotFastQueue});
    messages.push_back(
        {"QUERY with a task id that is not a UUID", {"FQ/1", "QUERY", "123"}, "", kBadTaskId});
    messages.push_back(
        {"QUERY with a truncated task id", {"FQ/1", "QUERY", id.substr(0, 35)}, "", kBadTaskId});
    messages.push_back({"QUERY with an extra frame",
                        {"FQ/1", "QUERY", id, "more"},
                        "",
                        "QUERY has 4 frames, expected 3"});
    messages.push_back({"CANCEL with a missing task id",
                        {"FQ/1", "CANCEL"},
                        "",
                        "CANCEL has 2 frames, expected 3"});
    messages.push_back({"WORKERS with an extra frame",
                        {"FQ/1", "WORKERS", "all"},
                        "",
                        "WORKERS has 3 frames, expected 2"});
    const std::string submitted = generate_uuid();
    messages.push_back(
        {"SUBMIT sent to the query port", sample_submit(submitted), submitted, kWrongKind});
    return messages;
}

std::vector<BadMessage> bad_management_messages() {
    constexpr const char* kWrongKind =
        "only REGISTER, HEARTBEAT and DEREGISTER are accepted on the subworker port";
    std::vector<BadMessage> messages;
    messages.push_back({"one garbage frame", {"hello"}, "", kNotFastQueue});
    messages.push_back({"an oversized garbage frame",
                        {std::string(static_cast<std::size_t>(kManagementFrameBytes), 'm')},
                        "",
                        kNotFastQueue});
    auto registration = [](int frame, std::string value) {
        auto frames = register_frames();
        frames[static_cast<std::size_t>(frame)] = std::move(value);
        return frames;
    };
    messages.push_back(
        {"REGISTER with the wrong protocol version", registration(0, "FQ/0"), "", kBadVersion});
    {
        auto frames = register_frames();
        frames.pop_back();
        messages.push_back(
            {"REGISTER with a frame missing", frames, "", "REGISTER has 6 frames, expected 7"});
    }
    {
        auto frames = register_frames();
        std::swap(frames[3], frames[4]);
        messages.push_back(
            {"REGISTER with address and capacity swapped", frames, "", "invalid address"});
    }
    messages.push_back({"REGISTER with an invalid worker id", registration(2, "no spaces"), "",
                        "invalid worker id"});
    messages.push_back({"REGISTER with a wildcard address", registration(3, "tcp://*:40000"), "",
                        "wildcard host"});
    messages.push_back({"REGISTER with a malformed IPv6 address",
                        registration(3, "tcp://[:::::]:43900"), "", "invalid address"});
    messages.push_back({"REGISTER with an unspecified address",
                        registration(3, "tcp://0.0.0.0:40000"), "", "unspecified address"});
    messages.push_back({"REGISTER with a multicast address",
                        registration(3, "tcp://224.0.0.1:40000"), "", "multicast address"});
    messages.push_back({"REGISTER with a negative capacity", registration(4, "-1"), "",
                        "capacity '-1' is not a decimal number"});
    messages.push_back({"REGISTER with a truncated (empty) capacity", registration(4, ""), "",
                        "capacity '' is not a decimal number"});
    messages.push_back(
        {"REGISTER with an oversized prefetch", registration(5, "99999999999"), "", "prefetch"});
    messages.push_back({"REGISTER with a task list that is not JSON", registration(6, "[\"add\""),
                        "", "task list is not a JSON array"});
    messages.push_back(
        {"REGISTER with an oversized task list",
         registration(6, "[\"" + std::string(protocol::kMaxTaskListBytes - 3, 'a') + "\"]"), "",
         "task list is longer than"});
    messages.push_back({"HEARTBEAT with a load that is not a number",
                        {"FQ/1", "HEARTBEAT", "intruder", "lots"},
                        "",
                        "load 'lots'"});
    messages.push_back({"HEARTBEAT with a task process restart count that is not a number",
                        {"FQ/1", "HEARTBEAT", "intruder", "0", "-1"},
                        "",
                        "task_process_restarts '-1'"});
    messages.push_back({"REGISTERED sent to the control plane",
                        {"FQ/1", "REGISTERED", "intruder", "1000", "3"},
                        "",
                        kWrongKind});
    const std::string id = generate_uuid();
    messages.push_back({"SUBMIT sent to the subworker port", sample_submit(id), id, kWrongKind});
    return messages;
}

std::vector<BadMessage> random_garbage(std::uint32_t seed, int count) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> frame_count(1, 8);
    std::uniform_int_distribution<int> frame_size(0, 64);
    std::uniform_int_distribution<int> byte(0, 255);
    std::vector<BadMessage> messages;
    for (int i = 0; i < count; ++i) {
        std::vector<std::string> frames(static_cast<std::size_t>(frame_count(random)));
        for (auto& frame : frames) {
            frame.resize(static_cast<std::size_t>(frame_size(random)));
            for (char& c : frame) c = static_cast<char>(byte(random));
        }
        // Not "FQ/...": the reason is then always "not a FastQueue message".
        if (!frames[0].empty() && frames[0][0] == 'F') frames[0][0] = 'f';
        messages.push_back({"random bytes #" + std::to_string(i + 1), frames, "", kNotFastQueue});
    }
    return messages;
}

std::vector<std::string> rejection_lines(const std::string& log_text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < log_text.size()) {
        std::size_t end = log_text.find('\n', start);
        if (end == std::string::npos) end = log_text.size();
        std::string line = log_text.substr(start, end - start);
        // "TIMESTAMP LEVEL [LOGGER] MESSAGE": only the message may start the
        // phrase, not text quoted later in some other line.
        const std::size_t message_start = line.find("] ");
        if (message_start != std::string::npos &&
            line.compare(message_start + 2, 18, "rejected message #") == 0) {
            lines.push_back(std::move(line));
        }
        start = end + 1;
    }
    return lines;
}

}  // namespace fastqueue::e2e

// codec.cpp -- FastQueue protocol 1 on the wire: the frame layout of every
// message (docs/protocol.md, "Messages") and the validation of every frame
// that arrives from the network.
//
// decode() reads frames strictly in order: protocol id, type, frame count,
// then each field, and stops at the first problem with a one-line reason.
// Sizes are checked before contents, so nothing is read past a frame and no
// untrusted length is trusted. Payload and result frames are moved.
#include "protocol/codec.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

#include "common/endpoint.hpp"
#include "common/uuid.hpp"
#include "protocol/bounded_json.hpp"
#include "protocol/record_json.hpp"
#include "protocol/submit_options.hpp"
#include "protocol/text.hpp"

namespace fastqueue::protocol {

namespace {

// Frame 1 of each message, in the order of the Message variant's types, and
// each message's total frame count, plus how many optional frames may follow.
struct MessageShape {
    std::string_view type;
    std::size_t frame_count;
    std::size_t optional_frames = 0;
};
constexpr std::array<MessageShape, std::variant_size_v<Message>> kShapes = {{
    {"SUBMIT", 6, 1},        {"ACK", 3},           {"REFUSED", 4},     {"QUERY", 3},
    {"CANCEL", 3},           {"RESULT", 5},        {"RECORD", 5},      {"NOT_FOUND", 3},
    {"CANCEL_REPLY", 4},     {"ERROR", 4},         {"REGISTER", 7, 1}, {"REGISTERED", 5},
    {"REGISTER_REFUSED", 4}, {"HEARTBEAT", 4, 1},  {"DEREGISTER", 3},  {"REREGISTER", 3},
    {"WORKERS", 2},          {"WORKERS_REPLY", 3}, {"ANNOUNCE", 5},
}};

// Positions in kShapes, which are also the Message variant's indices.
enum TypeIndex : std::size_t {
    kSubmit,
    kAck,
    kRefused,
    kQuery,
    kCancel,
    kResult,
    kRecord,
    kNotFound,
    kCancelReply,
    kError,
    kRegister,
    kRegistered,
    kRegisterRefused,
    kHeartbeat,
    kDeregister,
    kReregister,
    kWorkersQuery,
    kWorkersReply,
    kAnnounce,
};
static_assert(std::is_same_v<std::variant_alternative_t<kSubmit, Message>, Submit>);
static_assert(std::is_same_v<std::variant_alternative_t<kResult, Message>, Result>);
static_assert(std::is_same_v<std::variant_alternative_t<kError, Message>, Error>);
static_assert(std::is_same_v<std::variant_alternative_t<kRegister, Message>, Register>);
static_assert(std::is_same_v<std::variant_alternative_t<kHeartbeat, Message>, Heartbeat>);
static_assert(std::is_same_v<std::variant_alternative_t<kAnnounce, Message>, Announce>);
static_assert(kAnnounce + 1 == std::variant_size_v<Message>);

// The client-facing messages (SUBMIT .. ERROR) carry a task id in frame 2;
// the subworker, monitoring and discovery messages do not.
bool carries_task_id(std::size_t type_index) { return type_index <= kError; }

// Every body frame count in kShapes fits what receive_frames() callers keep.
constexpr bool shapes_fit_max_body_frames() {
    for (const auto& shape : kShapes) {
        if (shape.frame_count + shape.optional_frames > kMaxBodyFrames) return false;
    }
    return true;
}
static_assert(shapes_fit_max_body_frames());

// The SUBMIT flags byte: bit 0 asks for a RESULT, bit 1 says the options
// frame (frame 6) follows. Other bits must be 0.
constexpr unsigned char kFlagWantsResult = 0x01;
constexpr unsigned char kFlagHasOptions = 0x02;
constexpr unsigned char kKnownSubmitFlags = kFlagWantsResult | kFlagHasOptions;

std::string_view view(const zmq::message_t& frame) {
    return std::string_view(static_cast<const char*>(frame.data()), frame.size());
}

std::string to_std_string(const zmq::message_t& frame) { return std::string(view(frame)); }

zmq::message_t text_frame(std::string_view text) {
    return zmq::message_t(text.data(), text.size());
}

DecodeResult failure(DecodeResult&& result, std::string reason) {
    result.message.reset();
    result.error = std::move(reason);
    return std::move(result);
}

// Checks the task id frame. When may_be_empty, "" is accepted (REFUSED and
// ERROR answer requests whose id could not be read).
bool check_task_id(std::string_view task_id, bool may_be_empty, std::string& reason) {
    if (task_id.empty() && may_be_empty) return true;
    if (task_id.size() != kTaskIdBytes || !is_canonical_uuid(task_id)) {
        reason = "invalid task id '" + printable_excerpt(task_id) +
                 "' (expected a lower-case UUID such as 3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f)";
        return false;
    }
    return true;
}

bool check_text(std::string_view text, const char* what, std::string& reason) {
    if (text.size() > kMaxTextBytes) {
        reason = std::string(what) + " is longer than " + std::to_string(kMaxTextBytes) + " bytes";
        return false;
    }
    if (!is_valid_utf8(text)) {
        reason = std::string(what) + " is not valid UTF-8";
        return false;
    }
    return true;
}

// Frames 3 and 4 of RESULT and RECORD, checked: the metadata names the same
// task as frame 2, and only a successful task carries result bytes. The
// record it returns has no result: the caller takes it from the frame.
std::optional<TaskRecord> decode_record(std::string_view task_id, const zmq::message_t& metadata,
                                        const zmq::message_t& result, std::string& reason) {
    if (metadata.size() > kMaxMetadataBytes) {
        reason = "metadata is longer than " + std::to_string(kMaxMetadataBytes) + " bytes";
        return std::nullopt;
    }
    // Read member by member: this runs once per RESULT a client receives.
    BoundedJsonOutcome parsed = BoundedJsonOutcome::invalid;
    auto members = FlatJsonObject::parse(view(metadata), &parsed);
    if (parsed == BoundedJsonOutcome::too_deep) {
        reason = too_deep_reason("metadata", kMaxMetadataNesting);
        return std::nullopt;
    }
    if (!members) {
        reason = "metadata is not valid UTF-8 JSON";
        return std::nullopt;
    }
    auto record = record_metadata_from_members(*members, &reason);
    if (!record) return std::nullopt;
    if (record->task_id != task_id) {
        reason = "metadata task_id " + record->task_id + " differs from the task id frame " +
                 std::string(task_id);
        return std::nullopt;
    }
    if (result.size() != 0 && record->state != TaskState::success) {
        reason = "result bytes present but status is '" + std::string(to_string(record->state)) +
                 "' (only a successful task has a result)";
        return std::nullopt;
    }
    return record;
}

// Frames of RESULT and RECORD: the metadata of `record` and `result_frame`.
Frames record_frames(std::string_view type, const TaskRecord& record, zmq::message_t result_frame) {
    std::string metadata;
    if (record.error.empty()) {
        metadata = record_metadata_text(record);
    } else {
        // Bound the only free-length text so the metadata always fits its
        // limit, and make it valid UTF-8: the writer copies it as it is.
        TaskRecord repaired = record;
        repaired.error = to_valid_utf8(record.error, kMaxErrorBytes);
        metadata = record_metadata_text(repaired);
    }
    Frames frames;
    frames.reserve(5);
    frames.push_back(text_frame(kProtocolId));
    frames.push_back(text_frame(type));
    frames.push_back(text_frame(record.task_id));
    frames.push_back(owning_frame(std::move(metadata)));
    frames.push_back(std::move(result_frame));
    return frames;
}

// Checks a worker id frame: the task-name rule.
bool check_worker_id(std::string_view worker_id, std::string& reason) {
    if (!is_valid_task_name(worker_id)) {
        reason = "invalid worker id '" + printable_excerpt(worker_id) + "' (expected 1.." +
                 std::to_string(kMaxTaskNameBytes) + " characters of A-Z a-z 0-9 _ . : -)";
        return false;
    }
    return true;
}

// Parses a decimal number frame in [min, max]: ASCII digits only (no sign,
// no spaces, no leading zero except "0" itself), at most 10 digits, so the
// value cannot overflow before the range check.
std::optional<std::uint32_t> parse_decimal(std::string_view text, const char* what,
                                           std::uint32_t min, std::uint32_t max,
                                           std::string& reason) {
    auto fail = [&]() -> std::optional<std::uint32_t> {
        reason = std::string(what) + " '" + printable_excerpt(text, 16) +
                 "' is not a decimal number in " + std::to_string(min) + ".." + std::to_string(max);
        return std::nullopt;
    };
    if (text.empty() || text.size() > 10) return fail();
    if (text.size() > 1 && text[0] == '0') return fail();
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return fail();
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value < min || value > max) return fail();
    return static_cast<std::uint32_t>(value);
}

std::string decimal_text(std::uint32_t value) { return std::to_string(value); }

// Whether an address frame may name the unspecified address (0.0.0.0,
// [::]): an ANNOUNCE may, since its subscribers replace that host with the
// one they heard it from; a REGISTER address is connected to as it is.
enum class UnspecifiedHost { refused, allowed };

// Checks an address frame that a peer will connect to: "tcp://HOST:PORT"
// as parse_endpoint() accepts it, a HOST that can be connected to (not the
// wildcard *, not multicast, and not unspecified unless allowed), and with
// room for the ports counted from it (the highest offset used is
// max_port_offset).
bool check_connect_address(std::string_view address, const char* what, int max_port_offset,
                           UnspecifiedHost unspecified, std::string& reason) {
    if (address.size() > kMaxAddressBytes) {
        reason =
            std::string(what) + " is longer than " + std::to_string(kMaxAddressBytes) + " bytes";
        return false;
    }
    std::string parse_error;
    auto endpoint = parse_endpoint(address, &parse_error);
    if (!endpoint) {
        reason = "invalid " + std::string(what) + " '" + printable_excerpt(address) + "'";
        return false;
    }
    if (endpoint->host == "*") {
        reason = std::string(what) + " '" + printable_excerpt(address) +
                 "' has the wildcard host * (a peer cannot connect to it)";
        return false;
    }
    const bool is_allowed_unspecified =
        unspecified == UnspecifiedHost::allowed && is_every_interface_host(endpoint->host);
    if (std::string why = unconnectable_host_reason(endpoint->host);
        !why.empty() && !is_allowed_unspecified) {
        reason = std::string(what) + " '" + printable_excerpt(address) +
                 "' cannot be connected to: " + why;
        return false;
    }
    if (endpoint->port + max_port_offset > 65535) {
        reason = std::string(what) + " '" + printable_excerpt(address) +
                 "' leaves no room for base+" + std::to_string(max_port_offset) +
                 " (port must be at most " + std::to_string(65535 - max_port_offset) + ")";
        return false;
    }
    return true;
}

// Parses the REGISTER tasks frame: a JSON array of distinct valid task names.
std::optional<std::vector<std::string>> decode_task_names(const zmq::message_t& frame,
                                                          std::string& reason) {
    if (frame.size() > kMaxTaskListBytes) {
        reason = "task list is longer than " + std::to_string(kMaxTaskListBytes) + " bytes";
        return std::nullopt;
    }
    auto parsed = parse_bounded_json(view(frame), kMaxTaskListNesting);
    if (parsed.outcome == BoundedJsonOutcome::too_deep) {
        reason = too_deep_reason("task list", kMaxTaskListNesting);
        return std::nullopt;
    }
    const nlohmann::json& array = parsed.value;
    if (parsed.outcome != BoundedJsonOutcome::ok || !array.is_array()) {
        reason = "task list is not a JSON array";
        return std::nullopt;
    }
    if (array.size() > kMaxTaskNames) {
        reason = "task list has " + std::to_string(array.size()) + " names, at most " +
                 std::to_string(kMaxTaskNames) + " are allowed";
        return std::nullopt;
    }
    std::vector<std::string> names;
    names.reserve(array.size());
    std::set<std::string_view> seen;
    for (const auto& element : array) {
        const std::string* name = element.get_ptr<const std::string*>();
        if (name == nullptr || !is_valid_task_name(*name)) {
            // Described by its type, not written out: an element is never
            // walked, whatever it holds.
            const std::string shown = name != nullptr
                                          ? "'" + printable_excerpt(*name) + "'"
                                          : std::string("of type ") + element.type_name();
            reason = "task list holds an invalid task name " + shown + " (expected strings of 1.." +
                     std::to_string(kMaxTaskNameBytes) + " characters of A-Z a-z 0-9 _ . : -)";
            return std::nullopt;
        }
        if (!seen.insert(*name).second) {
            reason = "task list names '" + printable_excerpt(*name) + "' twice";
            return std::nullopt;
        }
        names.push_back(*name);
    }
    return names;
}

// Checks the WORKERS_REPLY status frame: a UTF-8 JSON object of bounded
// size. Its members are for parse_subworker_status() to check.
bool check_status_json(const zmq::message_t& frame, std::string& reason) {
    if (frame.size() > kMaxStatusBytes) {
        reason = "status is longer than " + std::to_string(kMaxStatusBytes) + " bytes";
        return false;
    }
    const auto parsed = parse_bounded_json(view(frame), kMaxStatusNesting);
    if (parsed.outcome == BoundedJsonOutcome::too_deep) {
        reason = too_deep_reason("status", kMaxStatusNesting);
        return false;
    }
    if (parsed.outcome != BoundedJsonOutcome::ok || !parsed.value.is_object()) {
        reason = "status is not a UTF-8 JSON object";
        return false;
    }
    return true;
}

// Decodes the messages that do not carry a task id (REGISTER .. ANNOUNCE).
// The frame count is already checked.
DecodeResult decode_without_task_id(std::size_t type_index, Frames& frames, DecodeResult&& result) {
    std::string reason;
    if (type_index == kWorkersQuery) {
        result.message = WorkersQuery{};
        return std::move(result);
    }
    if (type_index == kWorkersReply) {
        if (!check_status_json(frames[2], reason)) {
            return failure(std::move(result), std::move(reason));
        }
        result.message = WorkersReply{to_std_string(frames[2])};
        return std::move(result);
    }
    std::string_view worker_id = view(frames[2]);
    if (!check_worker_id(worker_id, reason)) return failure(std::move(result), std::move(reason));
    std::string id(worker_id);

    switch (type_index) {
        case kRegister: {
            if (!check_connect_address(view(frames[3]), "address", kLastPriorityPortOffset,
                                       UnspecifiedHost::refused, reason)) {
                return failure(std::move(result), std::move(reason));
            }
            auto capacity =
                parse_decimal(view(frames[4]), "capacity", kMinCapacity, kMaxCapacity, reason);
            if (!capacity) return failure(std::move(result), std::move(reason));
            auto prefetch =
                parse_decimal(view(frames[5]), "prefetch", kMinPrefetch, kMaxPrefetch, reason);
            if (!prefetch) return failure(std::move(result), std::move(reason));
            auto names = decode_task_names(frames[6], reason);
            if (!names) return failure(std::move(result), std::move(reason));
            std::optional<std::uint32_t> max_payload_bytes;
            if (frames.size() > 7) {
                max_payload_bytes = parse_decimal(view(frames[7]), "max_payload_bytes", 1,
                                                  kLargestMaxPayloadBytes, reason);
                if (!max_payload_bytes) return failure(std::move(result), std::move(reason));
            }
            Register message;
            message.worker_id = std::move(id);
            message.address = to_std_string(frames[3]);
            message.capacity = *capacity;
            message.prefetch = *prefetch;
            message.task_names = std::move(*names);
            message.max_payload_bytes = max_payload_bytes;
            result.message = std::move(message);
            break;
        }
        case kRegistered: {
            auto interval_ms =
                parse_decimal(view(frames[3]), "heartbeat_interval_ms", kMinHeartbeatIntervalMs,
                              kMaxHeartbeatIntervalMs, reason);
            if (!interval_ms) return failure(std::move(result), std::move(reason));
            auto liveness = parse_decimal(view(frames[4]), "heartbeat_liveness",
                                          kMinHeartbeatLiveness, kMaxHeartbeatLiveness, reason);
            if (!liveness) return failure(std::move(result), std::move(reason));
            result.message = Registered{std::move(id), *interval_ms, *liveness};
            break;
        }
        case kRegisterRefused: {
            std::string_view reason_text = view(frames[3]);
            if (!check_text(reason_text, "refusal reason", reason)) {
                return failure(std::move(result), std::move(reason));
            }
            result.message = RegisterRefused{std::move(id), std::string(reason_text)};
            break;
        }
        case kHeartbeat: {
            auto load = parse_decimal(view(frames[3]), "load", 0, kMaxLoad, reason);
            if (!load) return failure(std::move(result), std::move(reason));
            std::optional<std::uint32_t> restarts;
            if (frames.size() > 4) {
                restarts = parse_decimal(view(frames[4]), "task_process_restarts", 0,
                                         kMaxTaskProcessRestarts, reason);
                if (!restarts) return failure(std::move(result), std::move(reason));
            }
            result.message = Heartbeat{std::move(id), *load, restarts};
            break;
        }
        case kDeregister:
            result.message = Deregister{std::move(id)};
            break;
        case kReregister:
            result.message = Reregister{std::move(id)};
            break;
        case kAnnounce: {
            if (!check_connect_address(view(frames[3]), "base address", kQueryPortOffset,
                                       UnspecifiedHost::allowed, reason)) {
                return failure(std::move(result), std::move(reason));
            }
            auto port = parse_decimal(view(frames[4]), "subworker_port", 1, 65535, reason);
            if (!port) return failure(std::move(result), std::move(reason));
            result.message = Announce{std::move(id), to_std_string(frames[3]), *port};
            break;
        }
        default:
            return failure(std::move(result), "internal: message type has no decoder");
    }
    return std::move(result);
}

}  // namespace

zmq::message_t owning_frame(std::string&& bytes) {
    if (bytes.empty()) return zmq::message_t();
    auto* owned = new std::string(std::move(bytes));
    return zmq::message_t(
        owned->data(), owned->size(),
        [](void*, void* hint) { delete static_cast<std::string*>(hint); }, owned);
}

Frames encode_result(const TaskRecord& record, const SharedBytes& result) {
    return record_frames(kShapes[kResult].type, record, result.share_as_frame());
}

std::string_view message_type_name(const Message& message) { return kShapes[message.index()].type; }

DecodeResult decode(Frames& frames, ResultBytes result_bytes) {
    DecodeResult result;
    if (frames.empty()) return failure(std::move(result), "empty message");

    std::string_view protocol_id = view(frames[0]);
    if (protocol_id != kProtocolId) {
        if (protocol_id.substr(0, 3) == "FQ/") {
            return failure(std::move(result),
                           "unsupported protocol version '" + printable_excerpt(protocol_id, 16) +
                               "' (this peer speaks " + std::string(kProtocolId) + ")");
        }
        return failure(std::move(result), "not a FastQueue message");
    }
    if (frames.size() < 2) return failure(std::move(result), "message has no type frame");

    std::string_view type = view(frames[1]);
    std::size_t type_index = kShapes.size();
    for (std::size_t i = 0; i < kShapes.size(); ++i) {
        if (kShapes[i].type == type) type_index = i;
    }
    if (type_index == kShapes.size()) {
        return failure(std::move(result),
                       "unknown message type '" + printable_excerpt(type, 16) + "'");
    }

    // Keep the task id for the error reply as soon as it is known to be one,
    // even if the rest of the message turns out to be wrong.
    if (carries_task_id(type_index) && frames.size() >= 3 && is_canonical_uuid(view(frames[2]))) {
        result.task_id = to_std_string(frames[2]);
    }

    const MessageShape& shape = kShapes[type_index];
    if (frames.size() < shape.frame_count ||
        frames.size() > shape.frame_count + shape.optional_frames) {
        std::string expected = std::to_string(shape.frame_count);
        if (shape.optional_frames > 0) {
            expected += " or " + std::to_string(shape.frame_count + shape.optional_frames);
        }
        return failure(std::move(result), std::string(shape.type) + " has " +
                                              std::to_string(frames.size()) + " frames, expected " +
                                              expected);
    }
    if (!carries_task_id(type_index)) {
        return decode_without_task_id(type_index, frames, std::move(result));
    }

    std::string reason;
    std::string_view task_id = view(frames[2]);
    bool id_may_be_empty = type_index == kRefused || type_index == kError;
    if (!check_task_id(task_id, id_may_be_empty, reason)) {
        return failure(std::move(result), std::move(reason));
    }
    std::string id(task_id);

    switch (type_index) {
        case kSubmit: {
            std::string_view name = view(frames[3]);
            if (!is_valid_task_name(name)) {
                return failure(std::move(result), "invalid task name '" + printable_excerpt(name) +
                                                      "' (expected 1.." +
                                                      std::to_string(kMaxTaskNameBytes) +
                                                      " characters of A-Z a-z 0-9 _ . : -)");
            }
            if (frames[4].size() != 1) {
                return failure(std::move(result), "flags frame must be exactly 1 byte, got " +
                                                      std::to_string(frames[4].size()));
            }
            auto flags = *static_cast<const unsigned char*>(frames[4].data());
            if ((flags & ~kKnownSubmitFlags) != 0) {
                return failure(std::move(result),
                               "unknown flag bits set in flags byte " + std::to_string(flags));
            }
            const bool has_options = (flags & kFlagHasOptions) != 0;
            if (frames.size() != (has_options ? 7u : 6u)) {
                return failure(std::move(result),
                               has_options
                                   ? "flags announce an options frame, but SUBMIT has 6 frames"
                                   : "SUBMIT has 7 frames, but flags announce no options frame");
            }
            Submit submit;
            if (has_options) {
                auto options = submit_options_from_json(view(frames[6]), reason);
                if (!options) return failure(std::move(result), std::move(reason));
                submit.options = *options;
            }
            submit.task_id = std::move(id);
            submit.task_name = std::string(name);
            submit.wants_result = (flags & kFlagWantsResult) != 0;
            submit.payload = std::move(frames[5]);
            result.message = std::move(submit);
            break;
        }
        case kAck:
            result.message = Ack{std::move(id)};
            break;
        case kRefused: {
            std::string_view reason_text = view(frames[3]);
            if (!check_text(reason_text, "refusal reason", reason)) {
                return failure(std::move(result), std::move(reason));
            }
            result.message = Refused{std::move(id), std::string(reason_text)};
            break;
        }
        case kQuery:
            result.message = Query{std::move(id)};
            break;
        case kCancel:
            result.message = Cancel{std::move(id)};
            break;
        case kResult:
        case kRecord: {
            auto record = decode_record(task_id, frames[3], frames[4], reason);
            if (!record) return failure(std::move(result), std::move(reason));
            if (type_index == kResult && result_bytes == ResultBytes::in_frame) {
                result.message = Result{std::move(*record), std::move(frames[4])};
                break;
            }
            record->result = to_std_string(frames[4]);
            if (type_index == kResult) {
                result.message = Result{std::move(*record), zmq::message_t()};
            } else {
                result.message = Record{std::move(*record)};
            }
            break;
        }
        case kNotFound:
            result.message = NotFound{std::move(id)};
            break;
        case kCancelReply: {
            auto outcome = parse_cancel_outcome(view(frames[3]));
            if (!outcome) {
                return failure(std::move(result),
                               "unknown cancel outcome '" + printable_excerpt(view(frames[3])) +
                                   "' (expected cancelled, cancelling, finished or not_found)");
            }
            result.message = CancelReply{std::move(id), *outcome};
            break;
        }
        case kError: {
            std::string_view message_text = view(frames[3]);
            if (!check_text(message_text, "error message", reason)) {
                return failure(std::move(result), std::move(reason));
            }
            result.message = Error{std::move(id), std::string(message_text)};
            break;
        }
        default:
            return failure(std::move(result), "internal: message type has no decoder");
    }
    return result;
}

Frames encode(Message&& message) {
    Frames frames;
    // Frames 0..2: protocol id, type, and the task id or worker id.
    auto header = [&frames](std::string_view type, std::string_view id) {
        frames.push_back(text_frame(kProtocolId));
        frames.push_back(text_frame(type));
        frames.push_back(text_frame(id));
    };
    std::string_view type = message_type_name(message);
    std::visit(
        [&](auto&& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, Submit>) {
                header(type, value.task_id);
                frames.push_back(text_frame(value.task_name));
                const bool has_options = !is_default(value.options);
                unsigned char flags = value.wants_result ? kFlagWantsResult : 0;
                if (has_options) flags |= kFlagHasOptions;
                frames.push_back(zmq::message_t(&flags, 1));
                frames.push_back(std::move(value.payload));
                if (has_options)
                    frames.push_back(owning_frame(submit_options_to_json(value.options)));
            } else if constexpr (std::is_same_v<T, Refused>) {
                header(type, value.task_id);
                frames.push_back(text_frame(to_valid_utf8(value.reason, kMaxTextBytes)));
            } else if constexpr (std::is_same_v<T, Error>) {
                header(type, value.task_id);
                frames.push_back(text_frame(to_valid_utf8(value.message, kMaxTextBytes)));
            } else if constexpr (std::is_same_v<T, CancelReply>) {
                header(type, value.task_id);
                frames.push_back(text_frame(to_string(value.outcome)));
            } else if constexpr (std::is_same_v<T, Result> || std::is_same_v<T, Record>) {
                zmq::message_t result = owning_frame(std::move(value.record.result));
                frames = record_frames(type, value.record, std::move(result));
            } else if constexpr (std::is_same_v<T, Register>) {
                header(type, value.worker_id);
                frames.push_back(text_frame(value.address));
                frames.push_back(text_frame(decimal_text(value.capacity)));
                frames.push_back(text_frame(decimal_text(value.prefetch)));
                nlohmann::json names(value.task_names);
                frames.push_back(owning_frame(
                    names.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
                if (value.max_payload_bytes) {
                    frames.push_back(text_frame(decimal_text(*value.max_payload_bytes)));
                }
            } else if constexpr (std::is_same_v<T, Registered>) {
                header(type, value.worker_id);
                frames.push_back(text_frame(decimal_text(value.heartbeat_interval_ms)));
                frames.push_back(text_frame(decimal_text(value.heartbeat_liveness)));
            } else if constexpr (std::is_same_v<T, RegisterRefused>) {
                header(type, value.worker_id);
                frames.push_back(text_frame(to_valid_utf8(value.reason, kMaxTextBytes)));
            } else if constexpr (std::is_same_v<T, Heartbeat>) {
                header(type, value.worker_id);
                frames.push_back(text_frame(decimal_text(value.load)));
                if (value.task_process_restarts) {
                    frames.push_back(text_frame(decimal_text(*value.task_process_restarts)));
                }
            } else if constexpr (std::is_same_v<T, Deregister> || std::is_same_v<T, Reregister>) {
                header(type, value.worker_id);
            } else if constexpr (std::is_same_v<T, WorkersQuery>) {
                frames.push_back(text_frame(kProtocolId));
                frames.push_back(text_frame(type));
            } else if constexpr (std::is_same_v<T, WorkersReply>) {
                frames.push_back(text_frame(kProtocolId));
                frames.push_back(text_frame(type));
                frames.push_back(owning_frame(std::move(value.status_json)));
            } else if constexpr (std::is_same_v<T, Announce>) {
                header(type, value.worker_id);
                frames.push_back(text_frame(value.base_address));
                frames.push_back(text_frame(decimal_text(value.subworker_port)));
            } else {
                // Ack, Query, Cancel, NotFound: the task id is the whole body.
                header(type, value.task_id);
            }
        },
        std::move(message));
    return frames;
}

}  // namespace fastqueue::protocol

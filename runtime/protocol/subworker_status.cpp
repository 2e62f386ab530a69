// subworker_status.cpp -- the pool status of fastqueue/subworker_status.hpp
// as JSON text: written by the control plane into WORKERS_REPLY and read
// back by the client. The parser is the validation of network input, so it
// checks every member it reads, names the first one that is wrong, and never
// throws. Members it does not know are ignored, as in record metadata.
#include "fastqueue/subworker_status.hpp"

#include <limits>
#include <nlohmann/json.hpp>

#include "common/endpoint.hpp"
#include "protocol/bounded_json.hpp"
#include "protocol/codec.hpp"
#include "protocol/messages.hpp"
#include "protocol/text.hpp"

namespace fastqueue {

namespace {

using nlohmann::json;

bool fail(std::string* error, std::string message) {
    if (error != nullptr) *error = "subworker status: " + std::move(message);
    return false;
}

// Reads the member `key` of `object` as a JSON unsigned integer of at most
// max (no sign, fraction or exponent).
bool read_unsigned(const json& object, const std::string& where, const char* key, std::uint64_t max,
                   std::uint64_t& out, std::string* error) {
    auto it = object.find(key);
    if (it == object.end()) return fail(error, where + "missing '" + key + "'");
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > max) {
        return fail(error, where + "'" + key + "' must be an integer in 0.." + std::to_string(max));
    }
    out = it->get<std::uint64_t>();
    return true;
}

// Like read_unsigned, for a member a control plane older than it does not
// send: absent leaves `out` unset.
bool read_optional_unsigned(const json& object, const std::string& where, const char* key,
                            std::uint64_t max, std::optional<std::uint64_t>& out,
                            std::string* error) {
    if (!object.contains(key)) return true;
    std::uint64_t value = 0;
    if (!read_unsigned(object, where, key, max, value, error)) return false;
    out = value;
    return true;
}

const std::string* read_string(const json& object, const std::string& where, const char* key,
                               std::string* error) {
    auto it = object.find(key);
    if (it == object.end()) {
        fail(error, where + "missing '" + key + "'");
        return nullptr;
    }
    if (!it->is_string()) {
        fail(error, where + "'" + key + "' must be a string");
        return nullptr;
    }
    return it->get_ptr<const std::string*>();
}

std::optional<SubworkerInfo> parse_info(const std::string& worker_id, const json& object,
                                        std::string* error) {
    std::string where = "subworker '" + protocol::printable_excerpt(worker_id) + "': ";
    if (!object.is_object()) {
        fail(error, where + "must be an object");
        return std::nullopt;
    }
    SubworkerInfo info;
    const std::string* address = read_string(object, where, "address", error);
    if (address == nullptr) return std::nullopt;
    if (!parse_endpoint(*address)) {
        fail(error, where + "'address' is not tcp://HOST:PORT: '" +
                        protocol::printable_excerpt(*address) + "'");
        return std::nullopt;
    }
    info.address = *address;

    const std::string* status = read_string(object, where, "status", error);
    if (status == nullptr) return std::nullopt;
    if (*status != "active" && *status != "inactive") {
        fail(error, where + "'status' must be \"active\" or \"inactive\", not '" +
                        protocol::printable_excerpt(*status) + "'");
        return std::nullopt;
    }
    info.is_active = *status == "active";

    constexpr std::uint64_t kMaxUint32 = std::numeric_limits<std::uint32_t>::max();
    std::uint64_t load = 0;
    std::uint64_t capacity = 0;
    if (!read_unsigned(object, where, "load", kMaxUint32, load, error) ||
        !read_unsigned(object, where, "capacity", kMaxUint32, capacity, error) ||
        !read_unsigned(object, where, "tasks_completed", std::numeric_limits<std::uint64_t>::max(),
                       info.tasks_completed, error)) {
        return std::nullopt;
    }
    info.load = static_cast<std::uint32_t>(load);
    info.capacity = static_cast<std::uint32_t>(capacity);
    std::optional<std::uint64_t> prefetch_window;
    if (!read_optional_unsigned(object, where, "prefetch_window", kMaxUint32, prefetch_window,
                                error)) {
        return std::nullopt;
    }
    if (prefetch_window) info.prefetch_window = static_cast<std::uint32_t>(*prefetch_window);
    if (!read_optional_unsigned(object, where, "task_process_restarts",
                                std::numeric_limits<std::uint64_t>::max(),
                                info.task_process_restarts, error)) {
        return std::nullopt;
    }

    const std::string* last_seen_text = read_string(object, where, "last_seen", error);
    if (last_seen_text == nullptr) return std::nullopt;
    auto last_seen = parse_timestamp(*last_seen_text);
    if (!last_seen) {
        fail(error, where +
                        "'last_seen' is not a UTC timestamp like 2026-11-27T23:52:33.123456Z: '" +
                        protocol::printable_excerpt(*last_seen_text) + "'");
        return std::nullopt;
    }
    info.last_seen = *last_seen;
    return info;
}

// The "control_plane" object: every member required, since a control plane
// that writes the object writes all of them, but "subworker_port", which
// came later.
std::optional<ControlPlaneInfo> parse_control_plane(const json& object, std::string* error) {
    const std::string where = "control_plane: ";
    if (!object.is_object()) {
        fail(error, "'control_plane' must be an object");
        return std::nullopt;
    }
    ControlPlaneInfo info;
    const std::string* worker_id = read_string(object, where, "worker_id", error);
    if (worker_id == nullptr) return std::nullopt;
    if (!protocol::is_valid_task_name(*worker_id)) {
        fail(error,
             where + "invalid 'worker_id' '" + protocol::printable_excerpt(*worker_id) + "'");
        return std::nullopt;
    }
    info.worker_id = *worker_id;
    std::uint64_t concurrency = 0;
    if (!read_unsigned(object, where, "concurrency", std::numeric_limits<std::uint32_t>::max(),
                       concurrency, error) ||
        !read_unsigned(object, where, "task_process_restarts",
                       std::numeric_limits<std::uint64_t>::max(), info.task_process_restarts,
                       error)) {
        return std::nullopt;
    }
    info.concurrency = static_cast<std::uint32_t>(concurrency);
    std::optional<std::uint64_t> subworker_port;
    constexpr std::uint64_t kMaxPort = 65535;
    if (!read_optional_unsigned(object, where, "subworker_port", kMaxPort, subworker_port, error)) {
        return std::nullopt;
    }
    if (subworker_port == std::uint64_t{0}) {
        fail(error, where + "'subworker_port' must be a port, 1..65535");
        return std::nullopt;
    }
    if (subworker_port) info.subworker_port = static_cast<std::uint32_t>(*subworker_port);
    return info;
}

std::string dump(const nlohmann::ordered_json& value) {
    return value.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

// One member of "subworkers": "ID":{...}, in the header's member order
// (ordered_json keeps the order of insertion).
std::string subworker_member_text(const std::string& worker_id, const SubworkerInfo& info) {
    nlohmann::ordered_json entry = {
        {"address", info.address},
        {"status", info.is_active ? "active" : "inactive"},
        {"load", info.load},
        {"capacity", info.capacity},
    };
    if (info.prefetch_window) entry["prefetch_window"] = *info.prefetch_window;
    entry["tasks_completed"] = info.tasks_completed;
    if (info.task_process_restarts) entry["task_process_restarts"] = *info.task_process_restarts;
    entry["last_seen"] = format_timestamp(info.last_seen);
    return dump(nlohmann::ordered_json(worker_id)) + ":" + dump(entry);
}

// The status object up to the "subworkers" object's opening brace.
std::string status_head_text(const SubworkerPoolStatus& status, std::size_t omitted) {
    nlohmann::ordered_json object = {
        {"total_subworkers", status.total_subworkers},
        {"active_subworkers", status.active_subworkers},
    };
    if (status.messages_rejected) object["messages_rejected"] = *status.messages_rejected;
    if (omitted > 0) object["omitted_subworkers"] = omitted;
    if (status.control_plane) {
        object["control_plane"] = {
            {"worker_id", status.control_plane->worker_id},
            {"concurrency", status.control_plane->concurrency},
            {"task_process_restarts", status.control_plane->task_process_restarts},
        };
        if (status.control_plane->subworker_port) {
            object["control_plane"]["subworker_port"] = *status.control_plane->subworker_port;
        }
    }
    object["subworkers"] = nlohmann::ordered_json::object();
    std::string text = dump(object);
    text.resize(text.size() - 2);  // "...:{}}" -> "...:{"
    return text;
}

}  // namespace

std::string to_json_text(const SubworkerPoolStatus& status) {
    return to_json_text(status, std::numeric_limits<std::size_t>::max());
}

std::string to_json_text(const SubworkerPoolStatus& status, std::size_t max_bytes) {
    constexpr std::size_t kTailBytes = 2;  // "}}"
    std::string members;
    std::size_t listed = 0;
    // Lists members, active ones first, while the text with a head of
    // head_bytes still fits; true when every one did.
    const auto list_within = [&](std::size_t head_bytes) {
        members.clear();
        listed = 0;
        bool is_full = false;
        for (const bool is_active_group : {true, false}) {
            for (const auto& [worker_id, info] : status.subworkers) {
                if (is_full || info.is_active != is_active_group) continue;
                std::string member = subworker_member_text(worker_id, info);
                const std::size_t separator = members.empty() ? 0 : 1;
                if (head_bytes + members.size() + separator + member.size() + kTailBytes >
                    max_bytes) {
                    is_full = true;  // none after the first that does not fit
                    continue;
                }
                if (separator) members += ',';
                members += member;
                ++listed;
            }
        }
        return !is_full;
    };
    const std::string whole_head = status_head_text(status, status.omitted_subworkers);
    if (list_within(whole_head.size())) return whole_head + members + "}}";
    // Some are left out: list again against a head sized for the most that
    // can be, so that the text still fits once the real count is written.
    const std::size_t most_omitted = status.omitted_subworkers + status.subworkers.size();
    list_within(status_head_text(status, most_omitted).size());
    return status_head_text(status, most_omitted - listed) + members + "}}";
}

std::optional<SubworkerPoolStatus> parse_subworker_status(const std::string& json_text,
                                                          std::string* error) {
    if (json_text.size() > protocol::kMaxStatusBytes) {
        fail(error, "longer than " + std::to_string(protocol::kMaxStatusBytes) + " bytes");
        return std::nullopt;
    }
    auto parsed = protocol::parse_bounded_json(json_text, protocol::kMaxStatusNesting);
    if (parsed.outcome == protocol::BoundedJsonOutcome::too_deep) {
        fail(error, protocol::too_deep_reason("the text", protocol::kMaxStatusNesting));
        return std::nullopt;
    }
    const json& object = parsed.value;
    if (parsed.outcome != protocol::BoundedJsonOutcome::ok || !object.is_object()) {
        fail(error, "not a UTF-8 JSON object");
        return std::nullopt;
    }
    SubworkerPoolStatus status;
    std::uint64_t total = 0;
    std::uint64_t active = 0;
    constexpr std::uint64_t kMaxCount = std::numeric_limits<std::size_t>::max();
    if (!read_unsigned(object, "", "total_subworkers", kMaxCount, total, error) ||
        !read_unsigned(object, "", "active_subworkers", kMaxCount, active, error)) {
        return std::nullopt;
    }
    if (!read_optional_unsigned(object, "", "messages_rejected",
                                std::numeric_limits<std::uint64_t>::max(), status.messages_rejected,
                                error)) {
        return std::nullopt;
    }
    std::optional<std::uint64_t> omitted;
    if (!read_optional_unsigned(object, "", "omitted_subworkers", kMaxCount, omitted, error)) {
        return std::nullopt;
    }
    if (auto control_plane = object.find("control_plane"); control_plane != object.end()) {
        status.control_plane = parse_control_plane(*control_plane, error);
        if (!status.control_plane) return std::nullopt;
    }
    auto subworkers = object.find("subworkers");
    if (subworkers == object.end()) {
        fail(error, "missing 'subworkers'");
        return std::nullopt;
    }
    if (!subworkers->is_object()) {
        fail(error, "'subworkers' must be an object");
        return std::nullopt;
    }
    std::size_t active_count = 0;
    for (const auto& [worker_id, value] : subworkers->items()) {
        if (!protocol::is_valid_task_name(worker_id)) {
            fail(error, "invalid worker id '" + protocol::printable_excerpt(worker_id) + "'");
            return std::nullopt;
        }
        auto info = parse_info(worker_id, value, error);
        if (!info) return std::nullopt;
        if (info->is_active) ++active_count;
        status.subworkers.emplace(worker_id, std::move(*info));
    }
    // The counts restate the map and what was left out of it; a status
    // whose counts disagree with them is not one that to_json_text() wrote
    // for a consistent pool. (Subtractions: the sums could overflow.)
    const std::uint64_t listed = status.subworkers.size();
    const std::uint64_t omitted_count = omitted.value_or(0);
    if (total < listed || total - listed != omitted_count) {
        fail(error, "'total_subworkers' is " + std::to_string(total) + " but 'subworkers' has " +
                        std::to_string(listed) + " and 'omitted_subworkers' is " +
                        std::to_string(omitted_count));
        return std::nullopt;
    }
    // Active ones may be among those left out, but no more than were.
    if (active < active_count || active - active_count > omitted_count) {
        fail(error, "'active_subworkers' is " + std::to_string(active) + " but " +
                        std::to_string(active_count) + " listed subworkers are active and " +
                        std::to_string(omitted_count) + " are not listed");
        return std::nullopt;
    }
    status.total_subworkers = static_cast<std::size_t>(total);
    status.active_subworkers = static_cast<std::size_t>(active);
    status.omitted_subworkers = static_cast<std::size_t>(omitted_count);
    return status;
}

}  // namespace fastqueue

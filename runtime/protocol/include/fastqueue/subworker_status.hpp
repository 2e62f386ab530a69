// fastqueue/subworker_status.hpp -- the control plane's view of its
// subworkers, as Client::get_subworker_status() returns it and
// `fastqueue workers --json` prints it:
//   {"total_subworkers": 3, "active_subworkers": 3, "messages_rejected": 0,
//    "control_plane": {"worker_id": "control-plane", "concurrency": 4,
//                      "task_process_restarts": 0, "subworker_port": 5560},
//    "subworkers": {"sw1": {"address": "tcp://127.0.0.1:5561", "status": "active",
//                           "load": 2, "capacity": 4, "prefetch_window": 64,
//                           "tasks_completed": 17, "task_process_restarts": 1,
//                           "last_seen": "2026-11-27T23:52:33.123456Z"}, ...}}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "fastqueue/task.hpp"

namespace fastqueue {

struct SubworkerInfo {
    std::string address;         // its base address
    bool is_active = false;      // "active" / "inactive"
    std::uint32_t load = 0;      // tasks in flight there (running plus prefetched)
    std::uint32_t capacity = 0;  // its handler threads
    // Tasks the control plane sends it beyond its capacity now: its prefetch
    // window, which follows its tasks' run times (docs/scaling.md). Unset
    // when read from a control plane too old to report it; to_json_text
    // omits it when unset.
    std::optional<std::uint32_t> prefetch_window;
    std::uint64_t tasks_completed = 0;
    // Its executor processes started again after one died or was killed, as
    // its last heartbeat said. Unset when read from a control plane too old
    // to report it; to_json_text omits it when unset.
    std::optional<std::uint64_t> task_process_restarts;
    Timestamp last_seen{};  // last message from it (UTC)
};

// The control plane itself, which runs tasks too when no subworker can.
struct ControlPlaneInfo {
    std::string worker_id;          // its --worker-id, written into the records of its runs
    std::uint32_t concurrency = 0;  // its handler slots
    // Its own executor processes started again after one died or was killed
    // (0 in thread mode).
    std::uint64_t task_process_restarts = 0;
    // The port subworkers register on (its --subworker-port, base+5 by
    // default), on the host of its query port. Unset when read from a
    // control plane too old to report it; to_json_text omits it when unset.
    std::optional<std::uint32_t> subworker_port;
};

struct SubworkerPoolStatus {
    // Every subworker the control plane knows, listed in `subworkers` or
    // not, and how many of those are active.
    std::size_t total_subworkers = 0;
    std::size_t active_subworkers = 0;
    // Subworkers left out of `subworkers` so that the status fits its size
    // limit: total_subworkers == subworkers.size() + omitted_subworkers.
    // to_json_text writes it only when it is not 0.
    std::size_t omitted_subworkers = 0;
    // Messages the control plane refused to use since it started (malformed,
    // not accepted on their port, or a reply a subworker had no business
    // sending): ControlPlaneStats::messages_rejected. Unset when read from a
    // control plane too old to report it; to_json_text omits it when unset.
    std::optional<std::uint64_t> messages_rejected;
    // Unset when read from a control plane too old to report itself;
    // to_json_text omits it when unset.
    std::optional<ControlPlaneInfo> control_plane;
    std::map<std::string, SubworkerInfo> subworkers;  // by worker id
};

// The JSON text shown above.
std::string to_json_text(const SubworkerPoolStatus& status);
// The same, at most max_bytes long (at least the text of a status that
// lists no subworker): when the listing does not fit, it lists what fits,
// active subworkers first, each group in id order, and adds the ones left
// out to "omitted_subworkers". The counts stay those of status.
std::string to_json_text(const SubworkerPoolStatus& status, std::size_t max_bytes);
// Parses what to_json_text writes; std::nullopt (and *error set) otherwise,
// and for text longer than a WORKERS_REPLY status may be or nested deeper
// than its shape (protocol::kMaxStatusBytes, protocol::kMaxStatusNesting).
std::optional<SubworkerPoolStatus> parse_subworker_status(const std::string& json_text,
                                                          std::string* error = nullptr);

}  // namespace fastqueue

// settings.hpp -- the resolved settings of each role, after the command line,
// the environment, the TOML file and the defaults have been merged (in that
// order of precedence) and validated. Defaults live in config/ and nowhere else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/isolation.hpp"
#include "common/logging.hpp"

namespace fastqueue {

// Both roles' --max-payload-bytes by default (16 MiB).
inline constexpr std::size_t kDefaultMaxPayloadBytes = 16 * 1024 * 1024;

// The control plane's --heartbeat-interval and --heartbeat-liveness by
// default; a subworker uses them too until REGISTERED names the control
// plane's own.
inline constexpr std::uint32_t kDefaultHeartbeatIntervalMs = 1000;
inline constexpr std::uint32_t kDefaultHeartbeatLiveness = 3;

// Settings every role that runs tasks shares.
struct EngineSettings {
    std::vector<std::string> task_modules;  // names, already split on spaces and commas
    std::vector<std::string> modules_dirs;  // --modules-dir, in order
    std::size_t concurrency = 1;            // handler threads (default: number of cores)
    LogLevel log_level = LogLevel::info;
    double shutdown_grace_seconds = 30.0;
    // Where handlers run: child processes (executors) or the role's threads.
    Isolation isolation = Isolation::process;
    // Process isolation: how long a task may run on after its cancel was
    // requested (its time limit, a client, shutdown) before its executor is
    // killed.
    std::uint32_t kill_grace_ms = 1000;
    // Process isolation: each executor's address-space limit; 0 = none.
    std::uint64_t task_memory_limit_bytes = 0;
    // Process isolation: whether a crashing executor may write a core file.
    bool task_core_dumps = false;
};

// When the control plane's journal syncs what it wrote (--journal-fsync).
enum class JournalFsync : std::uint8_t {
    always,    // before each turn's acknowledgements and answers go out
    interval,  // at most journal_fsync_interval_ms after a write
    never,     // left to the operating system
};

// --journal-segment-bytes by default (64 MiB), at least (1 MiB) and at most
// (2 GiB, what the journal takes).
inline constexpr std::uint64_t kDefaultJournalSegmentBytes = 64ull << 20;
// --authorized-clients any: every client key is admitted (encryption only).
inline constexpr const char* kAuthorizedClientsAny = "any";
inline constexpr std::uint64_t kMinJournalSegmentBytes = 1ull << 20;
inline constexpr std::uint64_t kMaxJournalSegmentBytes = 2ull << 30;

struct ControlPlaneSettings {
    std::string worker_id = "control-plane";
    std::string base_address = "tcp://127.0.0.1:5555";
    std::string discovery_address = "tcp://127.0.0.1:5550";
    // Subworker management port. Unset means base+5 (5560 with the default base).
    std::optional<int> subworker_port;
    std::size_t result_cache_size = 10000;
    // Bytes of finished task records kept, each charged as
    // ResultCache::charge_bytes says; 0 means no byte limit. 256 MiB holds
    // the 10,000 default records many times over while they are small, and
    // bounds the cache when results are large.
    std::size_t result_cache_bytes = 256 * 1024 * 1024;
    long result_cache_ttl_seconds = 3600;
    EngineSettings engine;

    // Subworker health: a subworker that sends nothing for
    // heartbeat_liveness * heartbeat_interval_ms is inactive, and its tasks
    // are dispatched again. Handed to subworkers when they register.
    std::uint32_t heartbeat_interval_ms = kDefaultHeartbeatIntervalMs;
    std::uint32_t heartbeat_liveness = kDefaultHeartbeatLiveness;
    // A task whose worker was lost this many times ends as failure
    // "worker lost" instead of being dispatched again.
    std::uint32_t max_worker_losses = 3;
    // Queued tasks (not yet started) beyond which a submission is refused
    // as "busy" and nothing else changes.
    std::size_t max_queued = 1000000;
    // Largest task payload accepted, and largest result kept (a larger one
    // ends its task as failure); peers that send a frame much larger than
    // this are cut off by ZeroMQ itself (transport/frame_limits.hpp).
    // Subworkers with a smaller limit are refused at REGISTER.
    std::size_t max_payload_bytes = kDefaultMaxPayloadBytes;
    // Run-time limit of a task when neither its submission nor its plugin
    // sets one; 0 means none. Sent along with tasks dispatched to subworkers.
    std::uint32_t default_task_timeout_ms = 0;
    // How often the control plane announces itself on discovery_address.
    std::uint32_t announce_interval_ms = 1000;
    // Subworker entries (active and inactive) the control plane keeps. A
    // REGISTER of a new id when full forgets the inactive entry silent
    // longest, or is refused when every entry is active.
    std::size_t max_subworkers = 1024;
    // An inactive subworker silent this long is forgotten; if it speaks
    // again it is answered REREGISTER.
    std::uint32_t inactive_subworker_ttl_seconds = 3600;
    // The journal's directory; empty: no journal, tasks live in memory only
    // and a restart forgets them (docs/reliability.md).
    std::string journal_dir;
    JournalFsync journal_fsync = JournalFsync::always;
    std::uint32_t journal_fsync_interval_ms = 0;  // JournalFsync::interval only: 1..60000
    std::uint64_t journal_segment_bytes = kDefaultJournalSegmentBytes;
    // CURVE (docs/security.md). The control plane's .key_secret file; empty:
    // every port is plaintext.
    std::string curve_secret_key;
    // Directory of the public .key files of admitted clients, or
    // kAuthorizedClientsAny; empty: not given.
    std::string authorized_clients;
    // Directory of the public .key files of admitted subworkers; empty: none.
    std::string authorized_subworkers;
};

struct SubworkerSettings {
    std::string worker_id;  // required
    // The control plane's base address; unset means "find it through
    // discovery_address".
    std::optional<std::string> control_plane_address;
    // The control plane's subworker management port. Unset means the port of
    // control_plane_address + 5; discovery sets it from the announcement (the
    // control plane may have moved it with --subworker-port).
    std::optional<int> control_plane_subworker_port;
    std::string base_address = "tcp://127.0.0.1:5555";  // this subworker's base+0..3
    std::string discovery_address = "tcp://127.0.0.1:5550";
    // The most tasks the control plane may send beyond `concurrency`, so that
    // short tasks stream without a round trip between them. The control
    // plane sends fewer when tasks run long (subworker_pool.hpp, prefetch
    // window).
    std::uint32_t prefetch = 64;
    // Largest task payload its task ports take, and largest result it sends
    // (a larger one ends its task as failure). Sent in REGISTER: a control
    // plane with a larger limit refuses this subworker.
    std::size_t max_payload_bytes = kDefaultMaxPayloadBytes;
    // CURVE (docs/security.md), both or neither: this subworker's .key_secret
    // file and the control plane's public .key file; empty: plaintext.
    std::string curve_secret_key;
    std::string control_plane_key;
    EngineSettings engine;
};

}  // namespace fastqueue

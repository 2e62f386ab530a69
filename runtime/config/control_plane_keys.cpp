// control_plane_keys.cpp -- the control plane's key table. Defaults come from
// ControlPlaneSettings (settings.hpp); default_text repeats them for people,
// and the unit tests hold the two equal to the seed's contract.
#include "config/control_plane_keys.hpp"

#include <array>
#include <cmath>
#include <string>

#include "common/endpoint.hpp"
#include "config/config_error.hpp"
#include "config/engine_keys.hpp"
#include "config/payload_limit_key.hpp"
#include "config/value_parsers.hpp"

namespace fastqueue::config {

namespace {

Endpoint endpoint_or_throw(const RawValue& value) {
    std::string reason;
    auto endpoint = parse_endpoint(value.text(), &reason);
    if (!endpoint) throw invalid_value(value.source, value.text(), reason);
    return *endpoint;
}

// The largest --max-subworkers and --inactive-subworker-ttl (30 days).
constexpr std::int64_t kMaxMaxSubworkers = 100000;
constexpr std::int64_t kMaxInactiveSubworkerTtlSeconds = 30 * 24 * 3600;
// The longest --journal-fsync interval (a minute).
constexpr std::int64_t kMaxJournalFsyncMs = 60000;

// What listens on base+offset, for offsets 0..4 (see docs/operations.md).
constexpr std::array<const char*, 5> kBasePortUses = {
    "critical-priority submissions", "high-priority submissions", "normal-priority submissions",
    "low-priority submissions",      "result queries and cancel",
};

// --journal-fsync: "always", "never" or a whole number of milliseconds.
void journal_fsync_value(const RawValue& value, ControlPlaneSettings& settings) {
    const std::string& text = value.text();
    if (text == "always") {
        settings.journal_fsync = JournalFsync::always;
    } else if (text == "never") {
        settings.journal_fsync = JournalFsync::never;
    } else if (auto ms = parse_integer(text); ms && *ms >= 1 && *ms <= kMaxJournalFsyncMs) {
        settings.journal_fsync = JournalFsync::interval;
        settings.journal_fsync_interval_ms = static_cast<std::uint32_t>(*ms);
    } else {
        throw invalid_value(value.source, text,
                            "must be always, never or a number of milliseconds from 1 to " +
                                std::to_string(kMaxJournalFsyncMs));
    }
}

}  // namespace

std::vector<ConfigKey<ControlPlaneSettings>> control_plane_keys() {
    std::vector<ConfigKey<ControlPlaneSettings>> keys;

    keys.push_back({{.name = "worker-id",
                     .value_name = "ID",
                     .default_text = "control-plane",
                     .help = "Name of this control plane in records, logs and announcements: "
                             "1 to 128 characters of A-Z a-z 0-9 _ . : -",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.worker_id = worker_id_value(value);
                    }});

    keys.push_back({{.name = "base-address",
                     .value_name = "ADDRESS",
                     .default_text = "tcp://127.0.0.1:5555",
                     .help = "tcp://HOST:PORT; the control plane binds PORT to PORT+5 "
                             "(see the port map)",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        Endpoint base = endpoint_or_throw(value);
                        if (base.port + kSubworkerPortOffset > 65535) {
                            throw invalid_value(value.source, value.text(),
                                                "port " + std::to_string(base.port) +
                                                    " leaves no room for the port map "
                                                    "(PORT+5 must be <= 65535)");
                        }
                        settings.base_address = value.text();
                    }});

    keys.push_back({{.name = "discovery-address",
                     .value_name = "ADDRESS",
                     .default_text = "tcp://127.0.0.1:5550",
                     .help = "tcp://HOST:PORT where the control plane announces itself to "
                             "clients and subworkers",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        endpoint_or_throw(value);
                        settings.discovery_address = value.text();
                    }});

    keys.push_back({{.name = "subworker-port",
                     .value_name = "PORT",
                     .default_text = "base port + 5 (5560)",
                     .help = "Port for subworker registration and heartbeats, on the base "
                             "address's host; must differ from base+0..4",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        // Collisions with the base ports are checked once the
                        // base address is known (check_control_plane_ports).
                        settings.subworker_port =
                            static_cast<int>(integer_in_range(value, 1, 65535));
                    }});

    keys.push_back({{.name = "result-cache-size",
                     .value_name = "N",
                     .default_text = "10000",
                     .help = "Most finished task records kept; the least recently used goes first",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.result_cache_size =
                            static_cast<std::size_t>(integer_in_range(value, 1));
                    }});

    keys.push_back({{.name = "result-cache-bytes",
                     .value_name = "BYTES",
                     .default_text = "268435456",
                     .help = "Most bytes of finished task records kept (256 MiB by default; 0: no "
                             "byte limit); the least recently used goes first",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.result_cache_bytes =
                            static_cast<std::size_t>(integer_in_range(value, 0));
                    }});

    keys.push_back({{.name = "result-cache-ttl",
                     .value_name = "SECONDS",
                     .default_text = "3600",
                     .help = "How long a finished task record is kept after it is stored",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.result_cache_ttl_seconds = static_cast<long>(
                            integer_in_range(value, 1, kMaxResultCacheTtlSeconds));
                    }});

    keys.push_back({{.name = "max-queued",
                     .value_name = "N",
                     .default_text = "1000000",
                     .help = "Waiting (queued or scheduled) tasks beyond which a submission is "
                             "refused as busy",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.max_queued =
                            static_cast<std::size_t>(integer_in_range(value, 1, 1000000000));
                    }});

    keys.push_back(max_payload_bytes_key<ControlPlaneSettings>(
        "Largest task payload accepted (16 MiB by default, up to 1 GiB); larger ones are refused, "
        "a larger result fails its task, and subworkers must accept at least as much"));

    keys.push_back({{.name = "default-task-timeout",
                     .value_name = "SECONDS",
                     .default_text = "0",
                     .help = "Run-time limit of a task whose submission and plugin set none; "
                             "0 means none (up to 604800)",
                     .kind = ValueKind::number},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.default_task_timeout_ms =
                            milliseconds_in_range(value, 0.0, 604800.0, "0 to 604800");
                    }});

    keys.push_back({{.name = "heartbeat-interval",
                     .value_name = "SECONDS",
                     .default_text = "1",
                     .help = "How often the control plane and its subworkers exchange heartbeats "
                             "(0.01 to 60)",
                     .kind = ValueKind::number},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.heartbeat_interval_ms =
                            milliseconds_in_range(value, 0.01, 60.0, "0.01 to 60");
                    }});

    keys.push_back({{.name = "heartbeat-liveness",
                     .value_name = "N",
                     .default_text = "3",
                     .help = "Heartbeat intervals of silence after which a subworker is inactive "
                             "and its tasks are dispatched again",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.heartbeat_liveness =
                            static_cast<std::uint32_t>(integer_in_range(value, 1, 100));
                    }});

    keys.push_back({{.name = "max-worker-losses",
                     .value_name = "N",
                     .default_text = "3",
                     .help = "Times a task may lose its worker before it ends as failure "
                             "\"worker lost\"",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.max_worker_losses =
                            static_cast<std::uint32_t>(integer_in_range(value, 1, 100));
                    }});

    keys.push_back({{.name = "max-subworkers",
                     .value_name = "N",
                     .default_text = "1024",
                     .help = "Subworkers, active and inactive, the control plane keeps (1 to "
                             "100000); when full, a new one replaces the inactive one silent "
                             "longest, or is refused when all are active",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.max_subworkers =
                            static_cast<std::size_t>(integer_in_range(value, 1, kMaxMaxSubworkers));
                    }});

    keys.push_back({{.name = "inactive-subworker-ttl",
                     .value_name = "SECONDS",
                     .default_text = "3600",
                     .help = "How long an inactive subworker stays listed after it was last "
                             "heard from (1 to 2592000); then it is forgotten",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.inactive_subworker_ttl_seconds = static_cast<std::uint32_t>(
                            integer_in_range(value, 1, kMaxInactiveSubworkerTtlSeconds));
                    }});

    keys.push_back({{.name = "journal-dir",
                     .value_name = "DIR",
                     .default_text = "(none)",
                     .help = "Directory of the journal that keeps accepted tasks and results "
                             "across a restart (made when missing); none: in memory only",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.journal_dir = non_empty_text(value, "must name a directory");
                    }});

    keys.push_back({{.name = "journal-fsync",
                     .value_name = "MODE",
                     .default_text = "always",
                     .help = "When the journal syncs to disk: always (before acknowledging), "
                             "never (left to the OS), or every MS milliseconds (1 to 60000)",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        journal_fsync_value(value, settings);
                    }});

    keys.push_back({{.name = "journal-segment-bytes",
                     .value_name = "BYTES",
                     .default_text = "67108864",
                     .help = "Size at which the journal starts a new segment file (64 MiB by "
                             "default, 1 MiB to 2 GiB)",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.journal_segment_bytes =
                            static_cast<std::uint64_t>(integer_in_range(
                                value, static_cast<std::int64_t>(kMinJournalSegmentBytes),
                                static_cast<std::int64_t>(kMaxJournalSegmentBytes)));
                    }});

    keys.push_back({{.name = "curve-secret-key",
                     .value_name = "FILE",
                     .default_text = "(none: plaintext)",
                     .help = "The control plane's CURVE certificate (.key_secret, from fastqueue "
                             "keygen): CURVE on every port it binds",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.curve_secret_key = non_empty_text(value, "must name a file");
                    }});

    keys.push_back({{.name = "authorized-clients",
                     .value_name = "DIR",
                     .default_text = "(none)",
                     .help = "With CURVE: directory of the public .key files of the clients "
                             "admitted (re-read when it changes), or any: every client key",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.authorized_clients =
                            non_empty_text(value, "must name a directory or any");
                    }});

    keys.push_back({{.name = "authorized-subworkers",
                     .value_name = "DIR",
                     .default_text = "(none)",
                     .help = "With CURVE: directory of the public .key files of the subworkers "
                             "admitted (re-read when it changes); only they may register",
                     .kind = ValueKind::string},
                    [](const RawValue& value, ControlPlaneSettings& settings) {
                        settings.authorized_subworkers =
                            non_empty_text(value, "must name a directory");
                    }});

    // Unlike a subworker, the control plane may run no task itself.
    auto shared_keys = engine_keys();
    for (auto& key : shared_keys) {
        if (key.spec.name != "concurrency") continue;
        key = concurrency_key(0,
                              "Handler threads that run tasks; 0: the control plane runs none "
                              "itself, each task waits for a subworker that offers it");
    }
    for (auto& key : lift_keys(shared_keys, &ControlPlaneSettings::engine)) {
        keys.push_back(std::move(key));
    }
    return keys;
}

std::vector<const KeySpec*> control_plane_specs(
    const std::vector<ConfigKey<ControlPlaneSettings>>& keys) {
    std::vector<const KeySpec*> specs = specs_of(keys);
    specs.push_back(&config_file_key());
    return specs;
}

ControlPlaneSettings default_control_plane_settings() {
    ControlPlaneSettings settings;
    settings.engine = default_engine_settings();
    return settings;
}

void check_control_plane_ports(const ControlPlaneSettings& settings, const LayeredValues& values) {
    if (!settings.subworker_port) return;
    auto base = parse_endpoint(settings.base_address);
    if (!base) throw ConfigError("base address '" + settings.base_address + "' is invalid");
    for (int offset = 0; offset < kQueryPortOffset + 1; ++offset) {
        if (*settings.subworker_port != base->port + offset) continue;
        const RawValue* port_value = values.find("subworker-port");
        const RawValue* base_value = values.find("base-address");
        std::string base_source = base_value ? base_value->source : "the default";
        throw invalid_value(port_value ? port_value->source : "--subworker-port",
                            std::to_string(*settings.subworker_port),
                            "collides with base+" + std::to_string(offset) + " (" +
                                kBasePortUses[static_cast<std::size_t>(offset)] +
                                ") of base address " + settings.base_address + " (from " +
                                base_source + ")");
    }
}

void check_control_plane_security(const ControlPlaneSettings& settings,
                                  const LayeredValues& values) {
    const auto source = [&](const char* name) {
        const RawValue* value = values.find(name);
        return value ? value->source : std::string("--") + name;
    };
    if (settings.curve_secret_key.empty()) {
        for (const char* name : {"authorized-clients", "authorized-subworkers"}) {
            if (values.find(name) != nullptr) {
                throw ConfigError(source(name) + " needs CURVE: pass --curve-secret-key FILE too");
            }
        }
        return;
    }
    if (settings.authorized_clients.empty() && settings.authorized_subworkers.empty()) {
        throw ConfigError(
            "CURVE is on (" + source("curve-secret-key") +
            ") but nobody is allowed in: pass --authorized-clients DIR (or --authorized-clients "
            "any, for encryption only) and --authorized-subworkers DIR");
    }
}

}  // namespace fastqueue::config

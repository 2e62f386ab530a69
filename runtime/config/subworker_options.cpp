// subworker_options.cpp -- SubworkerOptions: the subworker's key table wired
// to the command line, the environment and the config file. The subworker's
// own keys are declared here; the engine keys come from engine_keys(), so the
// two roles read task-modules, concurrency and the rest identically.
#include "config/subworker_options.hpp"

#include <string>
#include <vector>

#include "common/endpoint.hpp"
#include "config/command_line_layer.hpp"
#include "config/engine_keys.hpp"
#include "config/key_docs.hpp"
#include "config/layering.hpp"
#include "config/payload_limit_key.hpp"
#include "config/value_parsers.hpp"
#include "protocol/messages.hpp"

namespace fastqueue {
namespace {

using config::ConfigKey;
using config::RawValue;
using config::ValueKind;

// A tcp://HOST:PORT address whose port leaves room for PORT+last_offset.
std::string address_with_room(const RawValue& value, int last_offset) {
    std::string reason;
    auto endpoint = parse_endpoint(value.text(), &reason);
    if (!endpoint) throw config::invalid_value(value.source, value.text(), reason);
    if (endpoint->port + last_offset > 65535) {
        throw config::invalid_value(value.source, value.text(),
                                    "port " + std::to_string(endpoint->port) +
                                        " leaves no room for the port map (PORT+" +
                                        std::to_string(last_offset) + " must be <= 65535)");
    }
    return value.text();
}

std::vector<ConfigKey<SubworkerSettings>> subworker_keys() {
    std::vector<ConfigKey<SubworkerSettings>> keys;

    keys.push_back({{.name = "worker-id",
                     .value_name = "ID",
                     .default_text = "(required)",
                     .help = "Name of this subworker, unique among the control plane's "
                             "subworkers and written into every result it returns: 1 to 128 "
                             "characters of A-Z a-z 0-9 _ . : -",
                     .kind = ValueKind::string},
                    [](const RawValue& value, SubworkerSettings& settings) {
                        settings.worker_id = config::worker_id_value(value);
                    }});

    keys.push_back({{.name = "control-plane-address",
                     .value_name = "ADDRESS",
                     .default_text = "(found through --discovery-address)",
                     .help = "The control plane's base address, tcp://HOST:PORT; the subworker "
                             "asks PORT+4 where to register (its --subworker-port, PORT+5 by "
                             "default)",
                     .kind = ValueKind::string},
                    [](const RawValue& value, SubworkerSettings& settings) {
                        settings.control_plane_address =
                            address_with_room(value, kSubworkerPortOffset);
                    }});

    keys.push_back({{.name = "base-address",
                     .value_name = "ADDRESS",
                     .default_text = "tcp://127.0.0.1:5555",
                     .help = "tcp://HOST:PORT; the subworker binds PORT to PORT+3 for the tasks "
                             "the control plane sends it, and advertises this address",
                     .kind = ValueKind::string},
                    [](const RawValue& value, SubworkerSettings& settings) {
                        settings.base_address = address_with_room(value, kPriorityCount - 1);
                        // It is the address the subworker registers, which
                        // the control plane refuses when nobody can connect
                        // to it: say so here, before any registration.
                        const std::string why =
                            unconnectable_host_reason(parse_endpoint(value.text())->host);
                        if (!why.empty()) {
                            throw config::invalid_value(
                                value.source, value.text(),
                                why +
                                    "; the control plane connects to this address, so name a "
                                    "host it can reach");
                        }
                    }});

    keys.push_back({{.name = "discovery-address",
                     .value_name = "ADDRESS",
                     .default_text = "tcp://127.0.0.1:5550",
                     .help = "tcp://HOST:PORT where the control plane announces itself; used "
                             "when --control-plane-address is not given",
                     .kind = ValueKind::string},
                    [](const RawValue& value, SubworkerSettings& settings) {
                        settings.discovery_address = address_with_room(value, 0);
                    }});

    keys.push_back({{.name = "prefetch",
                     .value_name = "N",
                     .default_text = std::to_string(SubworkerSettings{}.prefetch),
                     .help = "Most tasks the control plane may send beyond --concurrency, so "
                             "that short tasks stream without a round trip; it sends fewer when "
                             "tasks run long (about 10 ms of work waits here, at least 1) or "
                             "their payloads are large (16 MiB); 0 sends a task only to a free "
                             "handler thread",
                     .kind = ValueKind::integer},
                    [](const RawValue& value, SubworkerSettings& settings) {
                        settings.prefetch = static_cast<std::uint32_t>(
                            config::integer_in_range(value, 0, kMaxPrefetch));
                    }});

    keys.push_back(config::max_payload_bytes_key<SubworkerSettings>(
        "Largest task payload taken (16 MiB by default, up to 1 GiB) and largest result sent (a "
        "larger one fails its task); at least the control plane's --max-payload-bytes"));

    keys.push_back({{.name = "curve-secret-key",
                     .value_name = "FILE",
                     .default_text = "(none: plaintext)",
                     .help = "This subworker's CURVE certificate (.key_secret, from fastqueue "
                             "keygen): CURVE to the control plane and on its own task ports; "
                             "needs --control-plane-key",
                     .kind = ValueKind::string},
                    [](const RawValue& value, SubworkerSettings& settings) {
                        settings.curve_secret_key =
                            config::non_empty_text(value, "must name a file");
                    }});

    keys.push_back({{.name = "control-plane-key",
                     .value_name = "FILE",
                     .default_text = "(none: plaintext)",
                     .help = "The control plane's public CURVE certificate (.key): the only key "
                             "its task ports admit, and the key discovery must come from; needs "
                             "--curve-secret-key",
                     .kind = ValueKind::string},
                    [](const RawValue& value, SubworkerSettings& settings) {
                        settings.control_plane_key =
                            config::non_empty_text(value, "must name a file");
                    }});

    for (auto& key : config::lift_keys(config::engine_keys(), &SubworkerSettings::engine)) {
        keys.push_back(std::move(key));
    }
    return keys;
}

std::vector<const config::KeySpec*> subworker_specs(
    const std::vector<ConfigKey<SubworkerSettings>>& keys) {
    std::vector<const config::KeySpec*> specs = config::specs_of(keys);
    specs.push_back(&config::config_file_key());
    return specs;
}

}  // namespace

struct SubworkerOptions::Impl {
    // Declared before command_line: it points into these specs.
    std::vector<ConfigKey<SubworkerSettings>> keys = subworker_keys();
    std::vector<const config::KeySpec*> specs = subworker_specs(keys);
    config::CommandLineLayer command_line;

    explicit Impl(CLI::App& command) : command_line(command, specs) {}
};

SubworkerOptions::SubworkerOptions(CLI::App& command) : impl_(std::make_unique<Impl>(command)) {}

SubworkerOptions::~SubworkerOptions() = default;

SubworkerSettings SubworkerOptions::resolve(const EnvironmentLookup& environment) const {
    config::LayeredValues values =
        config::layer_values(impl_->specs, impl_->command_line, environment);
    SubworkerSettings settings;
    settings.engine = config::default_engine_settings();
    config::apply_layered_values(impl_->keys, values, settings);
    if (settings.worker_id.empty()) {
        throw ConfigError(
            "--worker-id is required (or FASTQUEUE_WORKER_ID, or worker_id in the config file)");
    }
    if (settings.curve_secret_key.empty() != settings.control_plane_key.empty()) {
        throw ConfigError(
            "CURVE needs both --curve-secret-key and --control-plane-key (or "
            "FASTQUEUE_CURVE_SECRET_KEY and FASTQUEUE_CONTROL_PLANE_KEY), or neither");
    }
    return settings;
}

std::string subworker_keys_markdown() {
    auto keys = subworker_keys();
    return config::render_key_table_markdown(subworker_specs(keys));
}

}  // namespace fastqueue

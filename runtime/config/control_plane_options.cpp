// control_plane_options.cpp -- ControlPlaneOptions: the control plane's key
// table wired to the command line, the environment and the config file.
#include "config/control_plane_options.hpp"

#include <vector>

#include "common/endpoint.hpp"
#include "config/command_line_layer.hpp"
#include "config/control_plane_keys.hpp"
#include "config/key_docs.hpp"
#include "config/layering.hpp"

namespace fastqueue {

struct ControlPlaneOptions::Impl {
    // Declared before command_line: it points into these specs.
    std::vector<config::ConfigKey<ControlPlaneSettings>> keys = config::control_plane_keys();
    std::vector<const config::KeySpec*> specs = config::control_plane_specs(keys);
    config::CommandLineLayer command_line;

    explicit Impl(CLI::App& command) : command_line(command, specs) {}
};

ControlPlaneOptions::ControlPlaneOptions(CLI::App& command)
    : impl_(std::make_unique<Impl>(command)) {}

ControlPlaneOptions::~ControlPlaneOptions() = default;

ControlPlaneSettings ControlPlaneOptions::resolve(const EnvironmentLookup& environment) const {
    config::LayeredValues values =
        config::layer_values(impl_->specs, impl_->command_line, environment);
    ControlPlaneSettings settings = config::default_control_plane_settings();
    config::apply_layered_values(impl_->keys, values, settings);
    config::check_control_plane_ports(settings, values);
    config::check_control_plane_security(settings, values);
    return settings;
}

int effective_subworker_port(const ControlPlaneSettings& settings) {
    if (settings.subworker_port) return *settings.subworker_port;
    auto base = parse_endpoint(settings.base_address);
    if (!base) throw ConfigError("base address '" + settings.base_address + "' is invalid");
    return base->port + kSubworkerPortOffset;
}

std::string control_plane_keys_markdown() {
    auto keys = config::control_plane_keys();
    return config::render_key_table_markdown(config::control_plane_specs(keys));
}

}  // namespace fastqueue

// control_plane_keys.hpp -- the key table of `fastqueue control-plane`: its
// own keys (the seed's flags), then the engine keys lifted into
// ControlPlaneSettings, and the checks that span more than one key.
#pragma once

#include <vector>

#include "config/config_key.hpp"
#include "config/layering.hpp"
#include "config/settings.hpp"

namespace fastqueue::config {

// Every key a control plane reads, in documentation order: worker-id,
// base-address, discovery-address, subworker-port, result-cache-size,
// result-cache-bytes, result-cache-ttl, ..., then engine_keys(). --config is not among them (see
// control_plane_specs()).
std::vector<ConfigKey<ControlPlaneSettings>> control_plane_keys();

// The specs of `keys` followed by config_file_key(): what the command line
// declares and what the documentation table lists.
std::vector<const KeySpec*> control_plane_specs(
    const std::vector<ConfigKey<ControlPlaneSettings>>& keys);

// The defaults: ControlPlaneSettings as declared, with default_engine_settings().
ControlPlaneSettings default_control_plane_settings();

// Checks that need several keys, after each key was applied on its own: an
// explicit subworker port must not be one of base+0..4. `values` supplies the
// sources that error messages name.
void check_control_plane_ports(const ControlPlaneSettings& settings, const LayeredValues& values);

// With --curve-secret-key, at least one allow-list must be given (the error
// names --authorized-clients DIR|any and --authorized-subworkers DIR);
// without it, neither may be.
void check_control_plane_security(const ControlPlaneSettings& settings,
                                  const LayeredValues& values);

// --result-cache-ttl accepts 1..kMaxResultCacheTtlSeconds, so that an expiry
// time always fits a std::chrono duration in nanoseconds (about 31 years).
inline constexpr long kMaxResultCacheTtlSeconds = 1'000'000'000;

}  // namespace fastqueue::config

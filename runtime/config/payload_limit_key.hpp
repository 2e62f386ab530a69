// payload_limit_key.hpp -- --max-payload-bytes, which the control plane and
// the subworker share: the same name, default and range in both roles, so
// that a subworker left at the default accepts whatever a control plane left
// at the default sends it. Each role says in its own words what it limits.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "config/config_key.hpp"
#include "config/settings.hpp"
#include "config/value_parsers.hpp"
#include "protocol/codec.hpp"

namespace fastqueue::config {

// The key for a role whose settings have a max_payload_bytes member.
template <class Settings>
ConfigKey<Settings> max_payload_bytes_key(std::string help) {
    return {{.name = "max-payload-bytes",
             .value_name = "BYTES",
             .default_text = std::to_string(kDefaultMaxPayloadBytes),
             .help = std::move(help),
             .kind = ValueKind::integer},
            [](const RawValue& value, Settings& settings) {
                settings.max_payload_bytes = static_cast<std::size_t>(
                    integer_in_range(value, 1, protocol::kLargestMaxPayloadBytes));
            }};
}

}  // namespace fastqueue::config

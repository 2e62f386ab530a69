// environment.hpp -- how configuration reads environment variables: through a
// lookup function, so that tests pass a fake environment and the process
// passes getenv.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace fastqueue {

// Looks up one environment variable; std::nullopt when unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The real process environment (getenv). Configuration treats a variable set
// to the empty string as unset, so that `FASTQUEUE_X=` in a service file
// clears an inherited value instead of being an invalid one.
std::optional<std::string> process_environment(const std::string& name);

}  // namespace fastqueue

// environment.cpp -- the process environment behind EnvironmentLookup.
#include "config/environment.hpp"

#include <cstdlib>

namespace fastqueue {

std::optional<std::string> process_environment(const std::string& name) {
    // getenv is safe here: configuration is read once, early in main, before
    // any thread that could call setenv exists.
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

}  // namespace fastqueue

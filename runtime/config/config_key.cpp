// config_key.cpp -- the spellings of a key in each layer, derived from its one
// name so that the flag, the environment variable and the TOML key cannot
// drift apart.
#include "config/config_key.hpp"

#include <algorithm>
#include <cctype>

namespace fastqueue::config {

std::string KeySpec::flag() const { return "--" + name; }

std::string KeySpec::env_name() const {
    std::string env = "FASTQUEUE_" + name;
    std::transform(env.begin(), env.end(), env.begin(), [](unsigned char c) {
        return c == '-' ? '_' : static_cast<char>(std::toupper(c));
    });
    return env;
}

std::string KeySpec::toml_key() const {
    std::string key = name;
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
}

}  // namespace fastqueue::config

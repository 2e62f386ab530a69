// config_error.hpp -- the one error type of configuration: its what() names
// the key, where the bad value came from and why it is bad, on one line.
#pragma once

#include <stdexcept>

namespace fastqueue {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace fastqueue

// free_ports.hpp -- the free-port finder of tools/launch, which the tests
// share with the developer tools (see launch/free_ports.hpp).
#pragma once

#include "launch/free_ports.hpp"

namespace fastqueue::e2e {

using launch::find_free_port_block;
using launch::is_port_free;
using launch::loopback_address;

}  // namespace fastqueue::e2e

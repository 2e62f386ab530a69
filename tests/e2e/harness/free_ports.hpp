// free_ports.hpp -- finds runs of consecutive TCP ports on 127.0.0.1 that
// nothing is bound to, so that every test starts its control plane on ports
// of its own and tests can run in parallel.
//
// A port found free can be taken by someone else before it is used; callers
// that bind it (the control plane) retry on a new range when that happens.
#pragma once

#include <string>

namespace fastqueue::e2e {

// The first of `count` consecutive ports that all bound on 127.0.0.1 a moment
// ago. The base is drawn at random from 20000..60000; the probe sockets are
// closed before returning. Throws std::runtime_error after 200 tries.
int find_free_port_range(int count);

// True when a listening socket can be bound to 127.0.0.1:port right now
// (the probe is closed again at once).
bool is_port_free(int port);

// "tcp://127.0.0.1:PORT".
std::string loopback_address(int port);

}  // namespace fastqueue::e2e

// free_ports.hpp -- finds runs of consecutive TCP ports on 127.0.0.1 that
// nothing is bound to, so that every local cluster (a developer tool's or an
// end-to-end test's) gets ports of its own and several can run at once.
//
// A port found free can be taken by someone else before it is used; callers
// that bind it (the control plane) retry on a new range when that happens.
#pragma once

#include <string>

namespace fastqueue::launch {

// The first of `count` consecutive ports that all bound on 127.0.0.1 a moment
// ago. The base is drawn at random from 20000..32000, below Linux's default
// ephemeral range (32768-60999), so that no outgoing connection of another
// process takes a port between the check and the bind. The probe sockets
// are closed before returning. Throws std::runtime_error after 200 tries.
int find_free_port_block(int count);

// True when a listening socket can be bound to 127.0.0.1:port right now
// (the probe is closed again at once).
bool is_port_free(int port);

// "tcp://127.0.0.1:PORT".
std::string loopback_address(int port);

}  // namespace fastqueue::launch

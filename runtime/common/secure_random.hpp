// secure_random.hpp -- random bytes from the operating system's CSPRNG
// (getrandom(2)), for values that guard something: task ids are the only
// thing that keeps one client from reading or cancelling another's task, so
// they must be as unguessable as a session token.
//
// Bytes are taken from the kernel in blocks and handed out from a per-thread
// buffer, so that one id does not cost one system call. The buffer is
// discarded in the child after fork(), so a parent and its child never hand
// out the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastqueue {

// Fills `size` bytes at `out` with cryptographically secure random bytes.
// Thread-safe. Blocks only while the kernel's pool is not yet initialised
// (early boot). Throws std::system_error if the kernel refuses (it does not
// on any Linux FastQueue supports).
void fill_secure_random(std::uint8_t* out, std::size_t size);

}  // namespace fastqueue

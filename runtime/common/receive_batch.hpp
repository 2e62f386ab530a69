// receive_batch.hpp -- how many messages a role's I/O loop reads from one
// socket before it looks at the others, so that a busy port cannot starve
// the rest (every role's loop and every socket kind use the same bound).
#pragma once

namespace fastqueue {

inline constexpr int kReceiveBatch = 256;

}  // namespace fastqueue

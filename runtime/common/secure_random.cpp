// secure_random.cpp -- see secure_random.hpp.
#include "common/secure_random.hpp"

#include <pthread.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>

namespace fastqueue {

namespace {

// getrandom(2) never returns fewer bytes than asked for up to 256 bytes, and
// is not interrupted by signals then: one block is one call.
constexpr std::size_t kBlockBytes = 256;

struct RandomBuffer {
    std::array<std::uint8_t, kBlockBytes> bytes{};
    std::size_t unused = 0;  // bytes not yet handed out, at the end of `bytes`
};

thread_local RandomBuffer buffer;

// In the child of fork() only the forking thread exists: dropping its
// buffer is enough for the child to share no bytes with its parent.
void discard_buffer_in_child() { buffer.unused = 0; }

void refill(RandomBuffer& target) {
    std::size_t filled = 0;
    while (filled < target.bytes.size()) {
        const ssize_t got =
            getrandom(target.bytes.data() + filled, target.bytes.size() - filled, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        filled += static_cast<std::size_t>(got);
    }
    target.unused = target.bytes.size();
}

}  // namespace

void fill_secure_random(std::uint8_t* out, std::size_t size) {
    static std::once_flag fork_handler_registered;
    std::call_once(fork_handler_registered,
                   [] { pthread_atfork(nullptr, nullptr, discard_buffer_in_child); });
    while (size > 0) {
        if (buffer.unused == 0) refill(buffer);
        const std::size_t take = std::min(size, buffer.unused);
        const std::size_t from = buffer.bytes.size() - buffer.unused;
        std::memcpy(out, buffer.bytes.data() + from, take);
        // Bytes handed out are wiped, so a later leak of this thread's
        // memory reveals no id already given.
        std::memset(buffer.bytes.data() + from, 0, take);
        buffer.unused -= take;
        out += take;
        size -= take;
    }
}

}  // namespace fastqueue

// executor_channel.hpp -- the messages between a role and one of its
// executor processes, over a connected AF_UNIX stream socket.
//
// Every message is a fixed 40-byte Header (host byte order: both ends are
// the same executable on the same host) followed by its body: `text_size`
// bytes of text, then `name_size` bytes, then `data_size` bytes.
//
//   READY     executor -> role  the plugins are loaded; no body
//   RUN       role -> executor  text: task id, name: task name, data: payload
//   PROGRESS  executor -> role  text: the handler's message; `fraction`
//   OUTCOME   executor -> role  text: error, data: result; `flags`: the
//                               TaskState in the low byte, kRetryableFlag
//
// `run` numbers the tasks a slot sends (from 1); PROGRESS and OUTCOME carry
// the number of the RUN they answer. One RUN at a time: the role sends the
// next only after the OUTCOME of the last. Bodies are written from and read
// into their final buffers with scatter/gather I/O, so a payload or result
// is never copied in user space on either side.
//
// Every header read is checked (check_header) against the reader's limits
// before anything is allocated for its body; a bad one means the peer is
// broken, and the reader gives up on it.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace fastqueue::executor {

enum class MessageType : std::uint16_t { ready = 1, run = 2, progress = 3, outcome = 4 };

struct Header {
    std::uint32_t magic = 0;
    std::uint16_t type = 0;
    std::uint16_t flags = 0;
    std::uint64_t run = 0;
    std::uint32_t text_size = 0;
    std::uint32_t name_size = 0;
    std::uint64_t data_size = 0;
    double fraction = 0.0;
};
static_assert(sizeof(Header) == 40, "the header is 40 bytes on every supported platform");

// "FQX1" in the first four bytes of every header.
inline constexpr std::uint32_t kMagic = 0x31585146;
inline constexpr std::uint16_t kRetryableFlag = 0x100;
// An error or progress message longer than this is cut to it by the
// executor; a task id or name longer than it is refused.
inline constexpr std::uint32_t kMaxTextBytes = 64 * 1024;
inline constexpr std::uint32_t kMaxNameBytes = 1024;

// What a reader accepts: the message types it expects and the largest
// `data_size` (payloads for an executor, results for a role).
struct ChannelLimits {
    bool is_role = true;  // a role reads READY, PROGRESS, OUTCOME; an executor RUN
    std::uint64_t max_data_bytes = 0;
};

Header make_header(MessageType type, std::uint64_t run);

// Why `header` cannot be accepted by a reader with `limits`; std::nullopt
// when it can.
std::optional<std::string> check_header(const Header& header, const ChannelLimits& limits);

enum class IoStatus { ok, closed, failed };

// Writes the header and the parts (in order) as one message, looping over
// partial writes. `closed` when the peer is gone (no SIGPIPE is raised).
IoStatus send_message(int fd, const Header& header, const iovec* parts, std::size_t part_count);

// Reads exactly `size` bytes into the buffers of `parts`, blocking (`closed`
// at end of stream, even part-way). EINTR is retried.
IoStatus receive_exact(int fd, iovec* parts, std::size_t part_count);
IoStatus receive_header(int fd, Header& header);

// Reads an executor's messages through a buffer, so that several small
// messages that arrived together cost one system call. Parts larger than
// the buffer are read straight into place.
class BufferedReader {
public:
    explicit BufferedReader(int fd) : fd_(fd) {}
    IoStatus receive_header(Header& header);
    IoStatus receive_exact(iovec* parts, std::size_t part_count);

private:
    static constexpr std::size_t kCapacity = 64 * 1024;
    int fd_;
    std::unique_ptr<char[]> buffer_ = std::make_unique<char[]>(kCapacity);
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

// errno's text for a `failed` status, for the log.
std::string last_io_error();

}  // namespace fastqueue::executor

// executor_channel.cpp -- see executor_channel.hpp.
#include "execution/executor_channel.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "fastqueue/task.hpp"

namespace fastqueue::executor {

Header make_header(MessageType type, std::uint64_t run) {
    Header header;
    header.magic = kMagic;
    header.type = static_cast<std::uint16_t>(type);
    header.run = run;
    return header;
}

std::optional<std::string> check_header(const Header& header, const ChannelLimits& limits) {
    if (header.magic != kMagic) return "bad magic number";
    const auto type = static_cast<MessageType>(header.type);
    const bool is_for_role =
        type == MessageType::ready || type == MessageType::progress || type == MessageType::outcome;
    if (type != MessageType::run && !is_for_role) {
        return "unknown message type " + std::to_string(header.type);
    }
    if (is_for_role != limits.is_role) {
        return "message type " + std::to_string(header.type) + " sent the wrong way";
    }
    if (header.text_size > kMaxTextBytes) {
        return "text of " + std::to_string(header.text_size) + " bytes";
    }
    if (header.name_size > (type == MessageType::run ? kMaxNameBytes : 0)) {
        return "name of " + std::to_string(header.name_size) + " bytes";
    }
    const bool has_data = type == MessageType::run || type == MessageType::outcome;
    if (header.data_size > (has_data ? limits.max_data_bytes : 0)) {
        return "data of " + std::to_string(header.data_size) + " bytes (limit " +
               std::to_string(has_data ? limits.max_data_bytes : 0) + ")";
    }
    if (type == MessageType::progress && !(header.fraction >= 0.0 && header.fraction <= 1.0)) {
        return "progress fraction outside [0, 1]";
    }
    if (type == MessageType::outcome) {
        const auto state = static_cast<TaskState>(header.flags & 0xff);
        const bool is_end_state = state == TaskState::success || state == TaskState::failure ||
                                  state == TaskState::cancelled;
        if (!is_end_state || (header.flags & ~(0xffu | kRetryableFlag)) != 0) {
            return "bad outcome flags " + std::to_string(header.flags);
        }
    } else if (header.flags != 0) {
        return "flags on a message that has none";
    }
    return std::nullopt;
}

namespace {

// Advances parts past `done` bytes; returns the first part with bytes left.
std::size_t skip_done(iovec* parts, std::size_t part_count, std::size_t first, std::size_t done) {
    while (first < part_count && done >= parts[first].iov_len) {
        done -= parts[first].iov_len;
        ++first;
    }
    if (first < part_count) {
        parts[first].iov_base = static_cast<char*>(parts[first].iov_base) + done;
        parts[first].iov_len -= done;
    }
    return first;
}

}  // namespace

IoStatus send_message(int fd, const Header& header, const iovec* parts, std::size_t part_count) {
    constexpr std::size_t kMaxParts = 4;
    iovec all[kMaxParts + 1];
    if (part_count > kMaxParts) return IoStatus::failed;
    all[0] = iovec{const_cast<Header*>(&header), sizeof header};
    std::size_t count = 1;
    for (std::size_t i = 0; i < part_count; ++i) {
        if (parts[i].iov_len > 0) all[count++] = parts[i];
    }
    std::size_t first = 0;
    while (first < count) {
        msghdr message{};
        message.msg_iov = all + first;
        message.msg_iovlen = count - first;
        const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) continue;
            return errno == EPIPE || errno == ECONNRESET ? IoStatus::closed : IoStatus::failed;
        }
        first = skip_done(all, count, first, static_cast<std::size_t>(sent));
    }
    return IoStatus::ok;
}

IoStatus receive_exact(int fd, iovec* parts, std::size_t part_count) {
    std::size_t first = skip_done(parts, part_count, 0, 0);
    while (first < part_count) {
        msghdr message{};
        message.msg_iov = parts + first;
        message.msg_iovlen = part_count - first;
        const ssize_t got = ::recvmsg(fd, &message, MSG_WAITALL);
        if (got < 0) {
            if (errno == EINTR) continue;
            return errno == ECONNRESET ? IoStatus::closed : IoStatus::failed;
        }
        if (got == 0) return IoStatus::closed;
        first = skip_done(parts, part_count, first, static_cast<std::size_t>(got));
    }
    return IoStatus::ok;
}

IoStatus receive_header(int fd, Header& header) {
    iovec part{&header, sizeof header};
    return receive_exact(fd, &part, 1);
}

IoStatus BufferedReader::receive_header(Header& header) {
    iovec part{&header, sizeof header};
    return receive_exact(&part, 1);
}

IoStatus BufferedReader::receive_exact(iovec* parts, std::size_t part_count) {
    for (std::size_t i = 0; i < part_count; ++i) {
        char* to = static_cast<char*>(parts[i].iov_base);
        std::size_t left = parts[i].iov_len;
        while (left > 0) {
            if (begin_ < end_) {
                const std::size_t take = std::min(left, end_ - begin_);
                std::memcpy(to, buffer_.get() + begin_, take);
                begin_ += take;
                to += take;
                left -= take;
                continue;
            }
            if (left >= kCapacity) {
                iovec rest{to, left};
                if (const IoStatus status = executor::receive_exact(fd_, &rest, 1);
                    status != IoStatus::ok) {
                    return status;
                }
                left = 0;
                continue;
            }
            ssize_t got = 0;
            do {
                got = ::recv(fd_, buffer_.get(), kCapacity, 0);
            } while (got < 0 && errno == EINTR);
            if (got == 0) return IoStatus::closed;
            if (got < 0) return errno == ECONNRESET ? IoStatus::closed : IoStatus::failed;
            begin_ = 0;
            end_ = static_cast<std::size_t>(got);
        }
    }
    return IoStatus::ok;
}

std::string last_io_error() { return std::strerror(errno); }

}  // namespace fastqueue::executor

// free_ports.cpp -- see free_ports.hpp.
#include "launch/free_ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>
#include <stdexcept>
#include <vector>

namespace fastqueue::launch {
namespace {

constexpr int kLowestBase = 20000;
constexpr int kHighestPort = 32000;  // see find_free_port_block
constexpr int kMaxTries = 200;

// A listening socket bound to 127.0.0.1:port, or -1. No SO_REUSEADDR: a port
// with anything on it, listening or not, counts as taken.
int bind_probe(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(fd, 1) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

bool is_port_free(int port) {
    const int fd = bind_probe(port);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

int find_free_port_block(int count) {
    std::random_device seed;
    std::mt19937 generator(seed());
    std::uniform_int_distribution<int> pick(kLowestBase, kHighestPort - count);
    for (int attempt = 0; attempt < kMaxTries; ++attempt) {
        const int base = pick(generator);
        // Hold every probe until the whole run is known to be free, so that a
        // range is judged as a whole; then release them all.
        std::vector<int> probes;
        bool is_free = true;
        for (int offset = 0; offset < count && is_free; ++offset) {
            const int fd = bind_probe(base + offset);
            if (fd < 0) {
                is_free = false;
            } else {
                probes.push_back(fd);
            }
        }
        for (int fd : probes) ::close(fd);
        if (is_free) return base;
    }
    throw std::runtime_error("no run of " + std::to_string(count) +
                             " free ports found on 127.0.0.1");
}

std::string loopback_address(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

}  // namespace fastqueue::launch

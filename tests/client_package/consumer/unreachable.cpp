// unreachable.cpp -- a client program built against the installed
// FastQueueClient package. It asks a control plane that is not there for a
// task and expects the client's "unreachable" error: proof that the package's
// headers compile and its libraries link and run on their own.
//
// The query port (base+4) is one the kernel just handed out on 127.0.0.1 and
// that nothing listens on; nothing is sent beyond loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fastqueue/client.hpp>
#include <random>
#include <string>

namespace {

// A TCP port on 127.0.0.1 that was free a moment ago, or 0.
int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

// A random version-4 UUID in its text form.
std::string random_task_id() {
    std::random_device device;
    std::mt19937_64 random(device());
    std::uniform_int_distribution<int> nibble(0, 15);
    const char* digits = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) id += '-';
        int value = nibble(random);
        if (i == 12) value = 4;                // version 4
        if (i == 16) value = 8 | (value & 3);  // RFC 4122 variant
        id += digits[value];
    }
    return id;
}

}  // namespace

int main() {
    int query_port = free_loopback_port();
    if (query_port < 5) {
        std::fprintf(stderr, "unreachable: no free loopback port\n");
        return 1;
    }
    fastqueue::ClientOptions options;
    options.control_plane_address = "tcp://127.0.0.1:" + std::to_string(query_port - 4);
    options.timeout = std::chrono::milliseconds(300);
    fastqueue::Client client(options);

    std::string task_id = random_task_id();
    try {
        client.get(task_id);
    } catch (const fastqueue::ClientError& error) {
        if (error.kind() != fastqueue::ClientErrorKind::unreachable) {
            std::fprintf(stderr, "unreachable: get(%s) failed with another kind: %s\n",
                         task_id.c_str(), error.what());
            return 1;
        }
        std::printf("unreachable: %s\n", error.what());
        return 0;
    }
    std::fprintf(stderr, "unreachable: get(%s) returned without a control plane\n",
                 task_id.c_str());
    return 1;
}

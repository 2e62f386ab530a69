// secure_random_test.cpp -- random bytes from the OS (runtime/common/secure_random.cpp).
#include "common/secure_random.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "common/uuid.hpp"

using namespace fastqueue;

TEST_CASE("fill_secure_random: requests across the per-thread buffer's blocks are all filled") {
    // 1,000 bytes spans several 256-byte blocks from the kernel; a request
    // that copied only the rest of one block would leave zeros at the end.
    std::vector<std::uint8_t> bytes(1000, 0);
    fill_secure_random(bytes.data(), 3);  // start off a block boundary
    fill_secure_random(bytes.data(), bytes.size());
    const auto zero_tail =
        std::find_if(bytes.rbegin(), bytes.rend(), [](std::uint8_t byte) { return byte != 0; }) -
        bytes.rbegin();
    // 32 zero bytes in a row from a CSPRNG has probability 2^-256.
    CHECK(zero_tail < 32);
    std::set<std::uint8_t> distinct(bytes.begin(), bytes.end());
    CHECK(distinct.size() > 200);  // 1,000 uniform bytes cover nearly all 256 values
}

TEST_CASE("generate_uuid: a forked child never repeats the ids its parent will make") {
    // Fill the parent's per-thread buffer, then fork: without discarding the
    // buffer in the child, both would hand out the same next bytes.
    (void)generate_uuid();
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const std::string id = generate_uuid();
        const bool written =
            write(pipe_fds[1], id.data(), id.size()) == static_cast<ssize_t>(id.size());
        _exit(written ? 0 : 1);
    }
    close(pipe_fds[1]);
    const std::string parent_id = generate_uuid();
    std::array<char, 36> child_id{};
    std::size_t received = 0;
    while (received < child_id.size()) {
        const ssize_t got =
            read(pipe_fds[0], child_id.data() + received, child_id.size() - received);
        if (got <= 0) break;
        received += static_cast<std::size_t>(got);
    }
    close(pipe_fds[0]);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    REQUIRE(received == child_id.size());
    const std::string child_text(child_id.begin(), child_id.end());
    CHECK(is_canonical_uuid(child_text));
    CHECK(child_text != parent_id);
}

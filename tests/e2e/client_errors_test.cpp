// client_errors_test.cpp -- the client commands when something is wrong on
// the user's side: no control plane at the address (exit 3, naming the
// address tried, after --timeout), a task id that is not a UUID, an unknown
// priority, or an address that is not one (exit 2, nothing sent).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harness/fastqueue_cli.hpp"
#include "harness/free_ports.hpp"

using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

const std::string kSomeTaskId = "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f";

// The base port of a control plane that does not exist: nothing listens on
// it or on the four ports after it.
int unreachable_base_port() { return find_free_port_block(5); }
std::string unreachable_address() { return loopback_address(unreachable_base_port()); }

}  // namespace

TEST_CASE("client errors: submit with no control plane exits 3 naming the priority port it tried") {
    // A submission goes to base + the priority's offset (critical 0 ... low 3).
    const int base = unreachable_base_port();
    const std::pair<const char*, int> priorities[] = {{"critical", 0}, {"normal", 2}, {"low", 3}};
    for (const auto& entry : priorities) {
        // Named copies: doctest's INFO captures by reference, which clang 14
        // cannot do for a structured binding.
        const char* priority = entry.first;
        const int offset = entry.second;
        for (const bool is_non_blocking : {false, true}) {
            std::vector<std::string> args{"submit",
                                          "--task-name",
                                          "add",
                                          "--args",
                                          "1",
                                          "2",
                                          "--priority",
                                          priority,
                                          "--control-plane-address",
                                          loopback_address(base),
                                          "--timeout",
                                          "0.5"};
            if (is_non_blocking) args.push_back("--non-blocking");
            const auto run = run_fastqueue(args, 20s);
            INFO(std::string(priority)
                 << (is_non_blocking ? " non-blocking: " : " blocking: ") << run.describe());
            CHECK(run.exit_code == 3);
            CHECK(contains(run.stderr_text, loopback_address(base + offset)));
            CHECK(trim(run.stdout_text).empty());
        }
    }
}

TEST_CASE(
    "client errors: status and cancel with no control plane exit 3 naming the query address "
    "tried") {
    // Both talk to the query port, base+4: that is the address they tried.
    const int base = unreachable_base_port();
    for (const char* command : {"status", "cancel"}) {
        const auto run =
            run_fastqueue({command, "--task-id", kSomeTaskId, "--control-plane-address",
                           loopback_address(base), "--timeout", "0.5"},
                          20s);
        INFO(std::string(command) << ": " << run.describe());
        CHECK(run.exit_code == 3);
        CHECK(contains(run.stderr_text, loopback_address(base + 4)));
    }
}

TEST_CASE(
    "client errors: FASTQUEUE_CONTROL_PLANE_ADDRESS is the address used when no flag is given") {
    const int base = unreachable_base_port();
    const auto run = run_fastqueue(
        {"submit", "--task-name", "add", "--priority", "critical", "--timeout", "0.5"}, 20s,
        {{"FASTQUEUE_CONTROL_PLANE_ADDRESS", loopback_address(base)}});
    INFO(run.describe());
    CHECK(run.exit_code == 3);
    CHECK(contains(run.stderr_text, loopback_address(base)));
}

TEST_CASE("client errors: a task id that is not a UUID exits 2 naming it") {
    for (const char* command : {"status", "cancel"}) {
        for (const char* bad_id : {"42", "not-a-uuid", "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5", ""}) {
            const auto run = run_fastqueue({command, "--task-id", bad_id, "--control-plane-address",
                                            unreachable_address(), "--timeout", "0.5"});
            INFO(std::string(command) << " '" << std::string(bad_id) << "': " << run.describe());
            CHECK(run.exit_code == 2);
        }
    }
}

TEST_CASE("client errors: status without --task-id exits 2") {
    const auto run = run_fastqueue({"status"});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
}

TEST_CASE("client errors: an unknown priority exits 2 naming --priority") {
    const auto run =
        run_fastqueue({"submit", "--task-name", "add", "--priority", "urgent",
                       "--control-plane-address", unreachable_address(), "--timeout", "0.5"});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
    CHECK(contains(run.stderr_text, "--priority"));
    CHECK(contains(run.stderr_text, "urgent"));
}

TEST_CASE("client errors: a control plane address that is not an address exits 2") {
    for (const char* address : {"not-an-address", "tcp://", "tcp://127.0.0.1:notaport"}) {
        const auto run = run_fastqueue({"submit", "--task-name", "add", "--control-plane-address",
                                        address, "--timeout", "0.5"});
        INFO(std::string(address) << ": " << run.describe());
        CHECK(run.exit_code == 2);
    }
}

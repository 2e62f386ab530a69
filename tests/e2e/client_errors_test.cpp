// client_errors_test.cpp -- the client commands when something is wrong on
// the user's side: no control plane at the address (exit 3, naming the
// address tried, after --timeout), a task id that is not a UUID, an unknown
// priority, or an address that is not one (exit 2, nothing sent).
#include <doctest/doctest.h>

#include <string>

#include "harness/fastqueue_cli.hpp"
#include "harness/free_ports.hpp"

using namespace fastqueue::e2e;
using namespace std::chrono_literals;

namespace {

const std::string kSomeTaskId = "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f";

// An address on a port nothing listens on.
std::string unreachable_address() { return loopback_address(find_free_port_range(5)); }

}  // namespace

TEST_CASE("client errors: submit to an address with no control plane exits 3 naming the address") {
    const std::string address = unreachable_address();
    SUBCASE("blocking") {
        const auto run = run_fastqueue({"submit", "--task-name", "add", "--args", "1", "2",
                                        "--control-plane-address", address, "--timeout", "0.5"},
                                       20s);
        INFO(run.describe());
        CHECK(run.exit_code == 3);
        CHECK(contains(run.stderr_text, address));
        CHECK(trim(run.stdout_text).empty());
    }
    SUBCASE("non-blocking") {
        const auto run = run_fastqueue({"submit", "--task-name", "add", "--args", "1", "2", "--non-blocking",
                                        "--control-plane-address", address, "--timeout", "0.5"},
                                       20s);
        INFO(run.describe());
        CHECK(run.exit_code == 3);
        CHECK(contains(run.stderr_text, address));
        CHECK(trim(run.stdout_text).empty());
    }
}

TEST_CASE("client errors: status and cancel with no control plane exit 3 naming the address") {
    const std::string address = unreachable_address();
    for (const char* command : {"status", "cancel"}) {
        const auto run = run_fastqueue(
            {command, "--task-id", kSomeTaskId, "--control-plane-address", address, "--timeout", "0.5"}, 20s);
        INFO(command << ": " << run.describe());
        CHECK(run.exit_code == 3);
        CHECK(contains(run.stderr_text, address));
    }
}

TEST_CASE("client errors: FASTQUEUE_CONTROL_PLANE_ADDRESS is the address used when no flag is given") {
    const std::string address = unreachable_address();
    const auto run = run_fastqueue({"status", "--task-id", kSomeTaskId, "--timeout", "0.5"}, 20s,
                                   {{"FASTQUEUE_CONTROL_PLANE_ADDRESS", address}});
    INFO(run.describe());
    CHECK(run.exit_code == 3);
    CHECK(contains(run.stderr_text, address));
}

TEST_CASE("client errors: a task id that is not a UUID exits 2 naming it") {
    for (const char* command : {"status", "cancel"}) {
        for (const char* bad_id : {"42", "not-a-uuid", "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5", ""}) {
            const auto run = run_fastqueue({command, "--task-id", bad_id, "--control-plane-address",
                                            unreachable_address(), "--timeout", "0.5"});
            INFO(command << " '" << bad_id << "': " << run.describe());
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
    const auto run = run_fastqueue({"submit", "--task-name", "add", "--priority", "urgent",
                                    "--control-plane-address", unreachable_address(), "--timeout", "0.5"});
    INFO(run.describe());
    CHECK(run.exit_code == 2);
    CHECK(contains(run.stderr_text, "--priority"));
    CHECK(contains(run.stderr_text, "urgent"));
}

TEST_CASE("client errors: a control plane address that is not an address exits 2") {
    for (const char* address : {"not-an-address", "tcp://", "tcp://127.0.0.1:notaport"}) {
        const auto run = run_fastqueue({"submit", "--task-name", "add", "--control-plane-address", address,
                                        "--timeout", "0.5"});
        INFO(address << ": " << run.describe());
        CHECK(run.exit_code == 2);
    }
}

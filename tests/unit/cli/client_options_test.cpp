// client_options_test.cpp -- ClientFlags (runtime/cli/client_options.cpp):
// which control plane address a client command ends up using, given
// --control-plane-address, --discovery-address and their environment
// variables, with a real announcer on a free 127.0.0.1 port.
#include "cli/client_options.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <string>
#include <zmq.hpp>

#include "../discovery/discovery_test_support.hpp"
#include "discovery/discovery.hpp"

using namespace fastqueue;
using fastqueue::testing::publish_until_ready;
using fastqueue::testing::unused_address;
using namespace std::chrono_literals;

namespace {

// Parses `arguments` as a client command's flags, with neither address in
// the environment unless the test sets it afterwards and parses again.
struct ParsedFlags {
    CLI::App app{"test"};
    cli::ClientFlags flags;

    explicit ParsedFlags(const std::string& arguments) {
        flags.declare(app);
        app.parse(arguments, /*program_name_included=*/false);
    }
};

class CleanEnvironment {
public:
    CleanEnvironment() { clear(); }
    ~CleanEnvironment() { clear(); }

private:
    static void clear() {
        ::unsetenv("FASTQUEUE_CONTROL_PLANE_ADDRESS");
        ::unsetenv("FASTQUEUE_DISCOVERY_ADDRESS");
    }
};

ClientErrorKind error_kind(const ParsedFlags& parsed, std::string* message) {
    try {
        (void)parsed.flags.to_options();
    } catch (const ClientError& error) {
        *message = error.what();
        return error.kind();
    }
    *message = "no error";
    return ClientErrorKind::protocol;  // not thrown: the checks that follow fail
}

}  // namespace

TEST_CASE("ClientFlags: without either address the default control plane is used") {
    CleanEnvironment environment;
    ParsedFlags parsed("--timeout 2.5");
    ClientOptions options = parsed.flags.to_options();
    CHECK(options.control_plane_address == "tcp://127.0.0.1:5555");
    CHECK(options.timeout == 2500ms);
}

TEST_CASE("ClientFlags: an explicit control plane address wins over discovery, without waiting") {
    CleanEnvironment environment;
    const std::string silent = unused_address();
    const auto started = std::chrono::steady_clock::now();

    SUBCASE("given on the command line") {
        ParsedFlags parsed("--control-plane-address tcp://127.0.0.1:6000 --discovery-address " +
                           silent + " --timeout 5");
        CHECK(parsed.flags.to_options().control_plane_address == "tcp://127.0.0.1:6000");
    }
    SUBCASE("given in FASTQUEUE_CONTROL_PLANE_ADDRESS") {
        ::setenv("FASTQUEUE_CONTROL_PLANE_ADDRESS", "tcp://127.0.0.1:6100", 1);
        ::setenv("FASTQUEUE_DISCOVERY_ADDRESS", silent.c_str(), 1);
        ParsedFlags parsed("--timeout 5");
        CHECK(parsed.flags.to_options().control_plane_address == "tcp://127.0.0.1:6100");
    }
    CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("ClientFlags: with only a discovery address the announced base address is used") {
    CleanEnvironment environment;
    const std::string address = unused_address();
    zmq::context_t context;
    protocol::Announce announcement;
    announcement.worker_id = "cp-under-test";
    announcement.base_address = "tcp://127.0.0.1:7000";
    announcement.subworker_port = 7005;
    DiscoveryAnnouncer announcer(context, address, announcement);

    auto check_discovers = [&](ParsedFlags& parsed) {
        auto options = std::async(std::launch::async, [&] { return parsed.flags.to_options(); });
        publish_until_ready(options, [&] {
            announcer.read_subscriptions();
            announcer.announce();
        });
        CHECK(options.get().control_plane_address == "tcp://127.0.0.1:7000");
    };
    SUBCASE("--discovery-address") {
        ParsedFlags parsed("--discovery-address " + address + " --timeout 5");
        check_discovers(parsed);
    }
    SUBCASE("FASTQUEUE_DISCOVERY_ADDRESS") {
        ::setenv("FASTQUEUE_DISCOVERY_ADDRESS", address.c_str(), 1);
        ParsedFlags parsed("--timeout 5");
        check_discovers(parsed);
    }
}

TEST_CASE("ClientFlags: no announcement within the timeout is unreachable, naming the address") {
    CleanEnvironment environment;
    const std::string silent = unused_address();
    ParsedFlags parsed("--discovery-address " + silent + " --timeout 0.2");
    const auto started = std::chrono::steady_clock::now();
    std::string message;
    CHECK(error_kind(parsed, &message) == ClientErrorKind::unreachable);
    CHECK(message == "no control plane announced itself on " + silent + " within 0.2 s");
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(elapsed >= 190ms);
    CHECK(elapsed < 1s);
}

TEST_CASE("ClientFlags: a discovery address that is not tcp://HOST:PORT is a usage error") {
    CleanEnvironment environment;
    std::string message;
    ParsedFlags not_tcp("--discovery-address ipc:///tmp/x --timeout 0.2");
    CHECK(error_kind(not_tcp, &message) == ClientErrorKind::invalid_argument);
    CHECK(message.rfind("invalid --discovery-address 'ipc:///tmp/x': ", 0) == 0);
    ParsedFlags wildcard("--discovery-address tcp://*:5550 --timeout 0.2");
    CHECK(error_kind(wildcard, &message) == ClientErrorKind::invalid_argument);
    CHECK(message.find("'tcp://*:5550'") != std::string::npos);
}

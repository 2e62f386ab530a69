// endpoint_test.cpp -- parsing of tcp://HOST:PORT addresses and the port
// map arithmetic (runtime/common/endpoint.cpp).
#include "common/endpoint.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace fastqueue;

TEST_CASE("parse_endpoint: accepts tcp://HOST:PORT and prints it back") {
    for (const char* address :
         {"tcp://127.0.0.1:5555", "tcp://localhost:1", "tcp://*:65535", "tcp://[::1]:5559",
          "tcp://queue.example.org:8080", "tcp://worker_7.queue-a.example:9000"}) {
        CAPTURE(address);
        std::string error;
        auto endpoint = parse_endpoint(address, &error);
        REQUIRE(endpoint);
        CHECK(error.empty());
        CHECK(endpoint->to_string() == address);
    }
    auto endpoint = parse_endpoint("tcp://[::1]:5559");
    REQUIRE(endpoint);
    CHECK(endpoint->host == "[::1]");
    CHECK(endpoint->port == 5559);
}

TEST_CASE("parse_endpoint: each bad address is rejected with a reason that names it") {
    struct Case {
        const char* address;
        const char* reason_part;
    };
    const Case cases[] = {
        {"ipc:///tmp/fastqueue", "tcp://"},
        {"udp://127.0.0.1:5555", "tcp://"},
        {"127.0.0.1:5555", "tcp://"},
        {"tcp://127.0.0.1", "no port"},
        {"tcp://127.0.0.1:", "no port"},
        {"tcp://:5555", "empty host"},
        {"tcp://127.0.0.1:0", "outside 1..65535"},
        {"tcp://127.0.0.1:65536", "outside 1..65535"},
        {"tcp://127.0.0.1:99999999999999999999", "outside 1..65535"},
        {"tcp://127.0.0.1:-1", "invalid port"},
        {"tcp://127.0.0.1:55x", "invalid port"},
        {"tcp://127.0.0.1:+80", "invalid port"},
        {"tcp://[::1]", "no port"},
        {"tcp://::1:5555", "invalid host"},
        {"tcp://a/b:5555", "invalid host"},
        {"tcp://[]:5555", "invalid host"},
        // Names ZeroMQ's connect refuses (EINVAL) are refused here first.
        {"tcp://a$b:5555", "invalid host"},
        {"tcp://exa!mple:5555", "invalid host"},
        {"tcp://h\xc3\xa9llo:5555", "invalid host"},
        {"tcp://-leading-dash:5555", "invalid host"},
        {"tcp://.leading-dot:5555", "invalid host"},
        {"tcp://**:5555", "invalid host"},
        {"", "tcp://"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.address);
        std::string error;
        CHECK_FALSE(parse_endpoint(c.address, &error));
        CHECK(error.find(c.reason_part) != std::string::npos);
        CHECK(error.find(std::string("'") + c.address + "'") != std::string::npos);
    }
    CHECK_FALSE(parse_endpoint("tcp://127.0.0.1:0"));  // error pointer is optional
}

TEST_CASE("Endpoint::with_port_offset: the port map of a base address") {
    auto base = parse_endpoint("tcp://127.0.0.1:5555");
    REQUIRE(base);
    CHECK(base->with_port_offset(0).to_string() == "tcp://127.0.0.1:5555");
    CHECK(base->with_port_offset(3).to_string() == "tcp://127.0.0.1:5558");
    CHECK(base->with_port_offset(kQueryPortOffset).to_string() == "tcp://127.0.0.1:5559");
    CHECK(base->with_port_offset(kSubworkerPortOffset).to_string() == "tcp://127.0.0.1:5560");
}

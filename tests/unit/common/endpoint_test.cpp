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

TEST_CASE("parse_endpoint: HOST is an IPv4 quad, a bracketed IPv6 address, a DNS name or *") {
    const std::string label63(63, 'a');
    // 3 labels of 63, one of 61, dots: 253 bytes.
    const std::string name253 =
        label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
    REQUIRE(name253.size() == kMaxHostNameBytes);
    for (const std::string& host :
         {std::string("0.0.0.0"), std::string("255.255.255.255"), std::string("10.0.0.12"),
          std::string("[::]"), std::string("[::1]"), std::string("[fe80::1]"),
          std::string("[::ffff:127.0.0.1]"), std::string("[2001:db8::8a2e:370:7334]"),
          std::string("a"), std::string("localhost"), std::string("a-b.c-d.example"),
          std::string("host7"), std::string("7host"), std::string("my_service_1"),
          std::string("1.2.3.com"), label63, name253, std::string("*")}) {
        CAPTURE(host);
        std::string error;
        CHECK(parse_endpoint("tcp://" + host + ":6000", &error));
        CHECK(error.empty());
    }
    for (const std::string& host :
         {std::string("[:::::]"),  std::string("[1::2::3]"),   std::string("[12345::]"),
          std::string("[g::1]"),   std::string("[127.0.0.1]"), std::string("256.0.0.1"),
          std::string("1.2.3"),    std::string("1.2.3.4.5"),   std::string("01.2.3.4"),
          std::string("1.2.3.4."), std::string("a..b"),        std::string("a.-b"),
          std::string("a-.b"),     std::string("-a"),          std::string("a-"),
          std::string(".a"),       std::string("a b"),         label63 + "a",
          name253 + "c",           std::string("**")}) {
        CAPTURE(host);
        std::string error;
        CHECK_FALSE(parse_endpoint("tcp://" + host + ":6000", &error));
        CHECK(error.find("invalid host") != std::string::npos);
    }
}

TEST_CASE("Endpoint hosts: every interface, loopback and multicast are told apart") {
    for (const char* host : {"*", "0.0.0.0", "[::]", "[::ffff:0.0.0.0]"}) {
        CAPTURE(host);
        CHECK(is_every_interface_host(host));
        CHECK_FALSE(unconnectable_host_reason(host).empty());
    }
    for (const char* host : {"224.0.0.1", "239.1.2.3", "[ff02::1]", "[::ffff:224.0.0.1]"}) {
        CAPTURE(host);
        CHECK(is_multicast_host(host));
        CHECK(unconnectable_host_reason(host).find("multicast") != std::string::npos);
    }
    for (const char* host :
         {"127.0.0.1", "127.1.2.3", "[::1]", "localhost", "[::ffff:127.0.0.1]"}) {
        CAPTURE(host);
        CHECK(is_loopback_host(host));
        CHECK(unconnectable_host_reason(host).empty());
    }
    for (const char* host : {"10.0.0.1", "223.255.255.255", "example.org", "[fe80::1]"}) {
        CAPTURE(host);
        CHECK_FALSE(is_every_interface_host(host));
        CHECK_FALSE(is_loopback_host(host));
        CHECK_FALSE(is_multicast_host(host));
        CHECK(unconnectable_host_reason(host).empty());
    }
    CHECK(is_same_host("127.0.0.1", "localhost"));
    CHECK(is_same_host("[::1]", "127.0.0.2"));
    CHECK(is_same_host("example.org", "example.org"));
    CHECK_FALSE(is_same_host("10.0.0.1", "10.0.0.2"));
    CHECK_FALSE(is_same_host("10.0.0.1", "127.0.0.1"));
}

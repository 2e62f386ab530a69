// own_ports_test.cpp -- a subworker address whose ports are the control
// plane's own is found, whatever name the host goes by
// (runtime/control_plane/own_ports.cpp).
#include "control_plane/own_ports.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace fastqueue;

namespace {

ControlPlaneSettings settings_with(std::string base, std::string discovery,
                                   std::optional<int> subworker_port = std::nullopt) {
    ControlPlaneSettings settings;
    settings.base_address = std::move(base);
    settings.discovery_address = std::move(discovery);
    settings.subworker_port = subworker_port;
    return settings;
}

std::string overlap(const ControlPlaneSettings& settings, const std::string& subworker_address) {
    auto base = parse_endpoint(subworker_address);
    REQUIRE(base);
    return own_port_overlap(settings, *base);
}

}  // namespace

TEST_CASE("own_port_overlap: a subworker's base+0..3 may not include the control plane's ports") {
    const auto settings = settings_with("tcp://127.0.0.1:5555", "tcp://127.0.0.1:5550");
    // base+0..4 and the management port 5560.
    for (int port = 5552; port <= 5560; ++port) {
        CAPTURE(port);
        CHECK_FALSE(overlap(settings, "tcp://127.0.0.1:" + std::to_string(port)).empty());
    }
    CHECK(overlap(settings, "tcp://127.0.0.1:5561").empty());
    CHECK(overlap(settings, "tcp://127.0.0.1:5551").empty());
    // The discovery port, 5550: base 5547..5550.
    CHECK(overlap(settings, "tcp://127.0.0.1:5547").find("discovery port") != std::string::npos);
    CHECK(overlap(settings, "tcp://127.0.0.1:5546").empty());

    const std::string reason = overlap(settings, "tcp://127.0.0.1:5554");
    CHECK(reason ==
          "its port base+1 (tcp://127.0.0.1:5555) is the control plane's own base+0 "
          "(tcp://127.0.0.1:5555)");
}

TEST_CASE("own_port_overlap: loopback names are one host; other hosts are not") {
    const auto settings = settings_with("tcp://localhost:5555", "tcp://127.0.0.1:5550", 7000);
    CHECK_FALSE(overlap(settings, "tcp://127.0.0.1:5555").empty());
    CHECK_FALSE(overlap(settings, "tcp://[::1]:5556").empty());
    CHECK(overlap(settings, "tcp://localhost:6997").find("subworker management port") !=
          std::string::npos);
    CHECK(overlap(settings, "tcp://localhost:5560").empty());  // base+5 is not used: port 7000
    CHECK(overlap(settings, "tcp://10.0.0.12:5555").empty());
    CHECK(overlap(settings, "tcp://worker.example:5555").empty());
}

TEST_CASE("own_port_overlap: a control plane on every interface owns its ports on loopback") {
    const auto settings = settings_with("tcp://*:5555", "tcp://0.0.0.0:5550");
    CHECK_FALSE(overlap(settings, "tcp://127.0.0.1:5555").empty());
    CHECK_FALSE(overlap(settings, "tcp://localhost:5548").empty());
    CHECK(overlap(settings, "tcp://10.0.0.12:5555").empty());
}

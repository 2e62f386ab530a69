// control_plane_security_test.cpp -- the CURVE keys of `fastqueue
// control-plane` (runtime/config/control_plane_keys.cpp): CURVE needs an
// allow-list and says which flags to pass; an allow-list needs CURVE.
#include <doctest/doctest.h>

#include "config/config_error.hpp"
#include "config/settings.hpp"
#include "config_test_support.hpp"

using fastqueue::ConfigError;
using fastqueue::testing::resolve_control_plane;

TEST_CASE("control-plane CURVE keys: set from flags, 'any' kept as the client allow-list") {
    const auto settings = resolve_control_plane(
        {"--curve-secret-key", "/etc/cp.key_secret", "--authorized-clients", "any"});
    CHECK(settings.curve_secret_key == "/etc/cp.key_secret");
    CHECK(settings.authorized_clients == fastqueue::kAuthorizedClientsAny);
    CHECK(settings.authorized_subworkers.empty());
    CHECK(resolve_control_plane({}).curve_secret_key.empty());
}

TEST_CASE("control-plane CURVE keys: CURVE without an allow-list is refused, naming both flags") {
    CHECK_THROWS_WITH_AS(resolve_control_plane({"--curve-secret-key", "/etc/cp.key_secret"}),
                         doctest::Contains("--authorized-clients DIR (or --authorized-clients "
                                           "any"),
                         ConfigError);
    CHECK_THROWS_WITH_AS(resolve_control_plane({"--curve-secret-key", "/etc/cp.key_secret"}),
                         doctest::Contains("--authorized-subworkers DIR"), ConfigError);
}

TEST_CASE("control-plane CURVE keys: an allow-list without CURVE is refused") {
    CHECK_THROWS_WITH_AS(resolve_control_plane({"--authorized-subworkers", "/etc/workers"}),
                         doctest::Contains("--curve-secret-key"), ConfigError);
    CHECK_THROWS_AS(resolve_control_plane({"--curve-secret-key", ""}), ConfigError);
}

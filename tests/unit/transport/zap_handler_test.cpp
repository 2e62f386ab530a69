// zap_handler_test.cpp -- who the control plane's ZAP handler admits
// (runtime/transport/zap_handler.cpp, key_directory.cpp): clients and
// subworkers by allow-list, the management domain for subworkers only, "any"
// for clients, a subworker's task ports for the control plane's key alone,
// the subworker key read back from a received message, and a key added or
// removed while running taking effect at the next rescan.
#include "transport/zap_handler.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "../journal/journal_test_support.hpp"
#include "transport/curve_certificate.hpp"
#include "transport/curve_socket.hpp"

using namespace fastqueue;
namespace fs = std::filesystem;

namespace {

using fastqueue::test::JournalTempDir;

// Writes keys' public certificate as dir/name.
void add_key(const fs::path& dir, const std::string& name, const CurveKeyPair& keys) {
    std::ofstream(dir / name) << format_public_certificate(keys);
}

struct Fixture {
    JournalTempDir root;
    fs::path clients = root.path() / "clients";
    fs::path subworkers = root.path() / "subworkers";
    CurveKeyPair client = generate_curve_key_pair();
    CurveKeyPair worker = generate_curve_key_pair();
    CurveKeyPair stranger = generate_curve_key_pair();
    KeyDirectory::Clock::time_point now = KeyDirectory::Clock::now();
    Fixture() {
        fs::create_directory(clients);
        fs::create_directory(subworkers);
        add_key(clients, "client.key", client);
        add_key(subworkers, "worker.key", worker);
    }
    ZapPolicy policy(bool is_any = false) const {
        return {is_any, is_any ? std::string() : clients.string(), subworkers.string(), {}};
    }
};

}  // namespace

TEST_CASE(
    "ZapPolicyState: clients and subworkers by allow-list; the management port subworkers only") {
    Fixture f;
    ZapPolicyState state(f.policy());
    const auto client = state.decide(kClientZapDomain, "CURVE", f.client.public_key, f.now);
    CHECK(client.is_admitted);
    CHECK(client.user_id == "client " + f.client.public_key);
    const auto worker = state.decide(kClientZapDomain, "CURVE", f.worker.public_key, f.now);
    CHECK(worker.is_admitted);
    CHECK(worker.user_id == "subworker " + f.worker.public_key);
    CHECK_FALSE(state.decide(kClientZapDomain, "CURVE", f.stranger.public_key, f.now).is_admitted);

    const auto as_client = state.decide(kSubworkerZapDomain, "CURVE", f.client.public_key, f.now);
    CHECK_FALSE(as_client.is_admitted);
    CHECK(as_client.reason.find("--authorized-subworkers") != std::string::npos);
    CHECK(state.decide(kSubworkerZapDomain, "CURVE", f.worker.public_key, f.now).is_admitted);

    CHECK_FALSE(state.decide("other", "CURVE", f.worker.public_key, f.now).is_admitted);
    CHECK_FALSE(state.decide(kClientZapDomain, "NULL", "", f.now).is_admitted);
    CHECK_FALSE(state.decide(kClientZapDomain, "PLAIN", f.client.public_key, f.now).is_admitted);
}

TEST_CASE("ZapPolicyState: 'any' admits every client key but not on the management port") {
    Fixture f;
    ZapPolicyState state(f.policy(/*is_any=*/true));
    CHECK(state.decide(kClientZapDomain, "CURVE", f.stranger.public_key, f.now).is_admitted);
    CHECK_FALSE(
        state.decide(kSubworkerZapDomain, "CURVE", f.stranger.public_key, f.now).is_admitted);
}

TEST_CASE("ZapPolicyState: a subworker's task ports admit the control plane's key alone") {
    Fixture f;
    const CurveKeyPair control_plane = generate_curve_key_pair();
    ZapPolicy policy;
    policy.control_plane_key = control_plane.public_key;
    ZapPolicyState state(policy);
    const auto admitted =
        state.decide(kTaskPortZapDomain, "CURVE", control_plane.public_key, f.now);
    CHECK(admitted.is_admitted);
    CHECK(admitted.user_id == "control-plane " + control_plane.public_key);
    const auto client = state.decide(kTaskPortZapDomain, "CURVE", f.client.public_key, f.now);
    CHECK_FALSE(client.is_admitted);
    CHECK(client.reason.find("not the control plane's") != std::string::npos);
    // No other domain admits anyone, not even the control plane's key.
    CHECK_FALSE(
        state.decide(kClientZapDomain, "CURVE", control_plane.public_key, f.now).is_admitted);
    CHECK_FALSE(
        state.decide(kSubworkerZapDomain, "CURVE", control_plane.public_key, f.now).is_admitted);
    CHECK_FALSE(state.decide(kTaskPortZapDomain, "NULL", "", f.now).is_admitted);
}

TEST_CASE("ZapPolicyState: the control plane's handler admits nobody on the task port domain") {
    Fixture f;
    ZapPolicyState state(f.policy(/*is_any=*/true));
    CHECK_FALSE(state.decide(kTaskPortZapDomain, "CURVE", f.worker.public_key, f.now).is_admitted);
    CHECK_FALSE(state.decide(kTaskPortZapDomain, "CURVE", f.client.public_key, f.now).is_admitted);
}

TEST_CASE("KeyDirectory: a key removed or added is seen at the next rescan, not before") {
    Fixture f;
    KeyDirectory directory(f.clients);
    const auto start = KeyDirectory::Clock::now();
    CHECK(directory.contains(f.client.public_key, start));

    fs::remove(f.clients / "client.key");
    add_key(f.clients, "stranger.key", f.stranger);
    // Within the rescan interval the old set still answers.
    CHECK(directory.contains(f.client.public_key, start));
    const auto later = start + KeyDirectory::kRescanInterval;
    CHECK_FALSE(directory.contains(f.client.public_key, later));
    CHECK(directory.contains(f.stranger.public_key, later));

    // A file that is not a certificate is skipped; the others still count.
    std::ofstream(f.clients / "broken.key") << "not a certificate";
    const auto after_broken = later + KeyDirectory::kRescanInterval;
    CHECK(directory.contains(f.stranger.public_key, after_broken));
    CHECK(directory.size() == 1);
    // A secret file or another name is not a .key: not read.
    std::ofstream(f.clients / "client.key_secret") << format_secret_certificate(f.client);
    CHECK_FALSE(
        directory.contains(f.client.public_key, after_broken + KeyDirectory::kRescanInterval));
}

TEST_CASE("KeyDirectory: a missing directory is refused at start and empties the set later") {
    JournalTempDir root;
    CHECK_THROWS_AS(KeyDirectory(root.path() / "missing"), std::runtime_error);
    fs::create_directory(root.path() / "keys");
    const CurveKeyPair keys = generate_curve_key_pair();
    add_key(root.path() / "keys", "a.key", keys);
    KeyDirectory directory(root.path() / "keys");
    const auto start = KeyDirectory::Clock::now();
    CHECK(directory.contains(keys.public_key, start));
    fs::remove_all(root.path() / "keys");
    CHECK_FALSE(directory.contains(keys.public_key, start + KeyDirectory::kRescanInterval));
}

TEST_CASE("ZapHandler: answers ZeroMQ for a CURVE server socket of its context") {
    Fixture f;
    zmq::context_t context;
    ZapHandler handler(context, f.policy());
    CHECK_THROWS_AS(ZapHandler(context, f.policy()), std::runtime_error);  // one per context

    const CurveKeyPair server = generate_curve_key_pair();
    zmq::socket_t router(context, zmq::socket_type::router);
    make_curve_server(router, {server, kClientZapDomain});
    // Over TCP: inproc connections have no security handshake.
    router.bind("tcp://127.0.0.1:*");

    // An admitted client's message arrives, with the user id the handler set.
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    make_curve_client(dealer, {f.client, server.public_key});
    dealer.connect(router.get(zmq::sockopt::last_endpoint));
    dealer.send(zmq::str_buffer("hello"), zmq::send_flags::none);
    zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
    REQUIRE(zmq::poll(&item, 1, std::chrono::milliseconds(5000)) == 1);
    zmq::message_t id, body;
    REQUIRE(router.recv(id));
    REQUIRE(router.recv(body));
    CHECK(body.to_string() == "hello");
    CHECK(std::string(body.gets("User-Id")) == "client " + f.client.public_key);
    CHECK(subworker_key_of(body).empty());  // a client's key is not a subworker's
    CHECK(handler.refused() == 0);

    // A subworker's key is read back from its message, as REGISTER's is.
    zmq::socket_t worker(context, zmq::socket_type::dealer);
    make_curve_client(worker, {f.worker, server.public_key});
    worker.connect(router.get(zmq::sockopt::last_endpoint));
    worker.send(zmq::str_buffer("register"), zmq::send_flags::none);
    REQUIRE(zmq::poll(&item, 1, std::chrono::milliseconds(5000)) == 1);
    REQUIRE(router.recv(id));
    REQUIRE(router.recv(body));
    CHECK(body.to_string() == "register");
    CHECK(subworker_key_of(body) == f.worker.public_key);
    // A message that came from no CURVE socket has no key.
    CHECK(subworker_key_of(zmq::message_t(std::string_view("plain"))).empty());
}

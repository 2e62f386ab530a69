// curve_test.cpp -- CURVE on a real control plane (docs/security.md): keys
// made by `fastqueue keygen`, an authorised client served, and every kind of
// refusal ending the client with exit code 7 and a reason -- an unknown key,
// a plaintext client against CURVE, a CURVE client against plaintext, a key
// removed from the allow-list while the control plane runs -- and the
// management port closed to a key that is only a client's; and a relay that
// records the bytes between client and control plane finds no payload in
// them with CURVE (and finds it without). Subworkers with CURVE: an
// authorised one registers and runs tasks while unauthorised ones are never
// listed, its task ports admit the control plane's key alone, and discovery
// follows only a publisher with the control plane's key.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "common/uuid.hpp"
#include "fastqueue/client.hpp"
#include "harness/control_plane_process.hpp"
#include "harness/fastqueue_cli.hpp"
#include "harness/free_ports.hpp"
#include "harness/process.hpp"
#include "harness/subworker_process.hpp"
#include "transport/curve_certificate.hpp"
#include "transport/curve_socket.hpp"
#include "transport/handshake_watch.hpp"

using namespace fastqueue;
using namespace fastqueue::e2e;
namespace fs = std::filesystem;

namespace {

constexpr int kExitAuthFailed = 7;
constexpr auto kReadyTimeout = std::chrono::seconds(15);
// Bounds every refused run: a refusal comes from the handshake, long before
// this timeout, which would end the run with exit 3 instead of 7.
constexpr auto kClientTimeoutSeconds = "20";

struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "fq-curve-e2e-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~TempDir() { fs::remove_all(path); }
};

unsigned mode_of(const fs::path& path) {
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 0777;
}

// `fastqueue keygen --out DIR/NAME`, which must succeed.
void keygen(const fs::path& prefix) {
    const auto run = run_fastqueue({"keygen", "--out", prefix.string()});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
}

// Keys for a control plane, an allowed client, a stranger and a subworker;
// clients/ holds the client's public key, subworkers/ the subworker's.
struct Keys {
    TempDir dir;
    fs::path clients = dir.path / "clients";
    fs::path subworkers = dir.path / "subworkers";
    Keys() {
        for (const char* name : {"cp", "client", "stranger", "worker"}) keygen(dir.path / name);
        fs::create_directory(clients);
        fs::create_directory(subworkers);
        fs::copy_file(dir.path / "client.key", clients / "client.key");
        fs::copy_file(dir.path / "worker.key", subworkers / "worker.key");
    }
    std::string secret(const char* name) const {
        return (dir.path / (std::string(name) + ".key_secret")).string();
    }
    std::string public_key(const char* name) const {
        return (dir.path / (std::string(name) + ".key")).string();
    }
    // The client flags of `name` against this control plane's key.
    std::vector<std::string> client_flags(const char* name) const {
        return {"--curve-secret-key", secret(name), "--control-plane-key", public_key("cp")};
    }
};

// A control plane started with `args` after its port flags, ready once a
// client with `probe` options (plaintext when empty) gets an answer.
struct RunningControlPlane {
    int base_port = find_free_port_block(ControlPlaneProcess::kPortCount);
    std::string address = loopback_address(base_port);
    std::unique_ptr<Process> process;

    RunningControlPlane(const std::vector<std::string>& args, const ClientOptions& probe) {
        std::vector<std::string> argv{fastqueue_binary(), "control-plane"};
        const auto ports = control_plane_port_flags(base_port);
        argv.insert(argv.end(), ports.begin(), ports.end());
        argv.insert(argv.end(), {"--task-modules", "mytasks", "--modules-dir", test_modules_dir()});
        argv.insert(argv.end(), args.begin(), args.end());
        process = std::make_unique<Process>(argv);
        ClientOptions options = probe;
        options.control_plane_address = address;
        options.timeout = std::chrono::milliseconds(300);
        const bool is_ready = poll_until(
            [&] {
                if (!process->is_running()) return false;
                try {
                    Client(options).get(generate_uuid());
                    return true;
                } catch (const ClientError&) {
                    return false;
                }
            },
            kReadyTimeout, std::chrono::milliseconds(50));
        INFO(process->stderr_text());
        REQUIRE(is_ready);
    }
    ~RunningControlPlane() { process->stop_and_check(std::chrono::seconds(10)); }

    RunResult cli(std::vector<std::string> args, const std::vector<std::string>& flags) const {
        args.insert(args.end(),
                    {"--control-plane-address", address, "--timeout", kClientTimeoutSeconds});
        args.insert(args.end(), flags.begin(), flags.end());
        return run_fastqueue(args);
    }
};

ClientOptions curve_options(const Keys& keys, const char* name) {
    ClientOptions options;
    options.curve_secret_key_file = keys.secret(name);
    options.control_plane_key_file = keys.public_key("cp");
    return options;
}

RunningControlPlane curve_control_plane(const Keys& keys) {
    return RunningControlPlane(
        {"--curve-secret-key", keys.secret("cp"), "--authorized-clients", keys.clients.string(),
         "--authorized-subworkers", keys.subworkers.string()},
        curve_options(keys, "client"));
}

void check_auth_failed(const RunResult& run, const std::string& why) {
    INFO(run.describe());
    CHECK(run.exit_code == kExitAuthFailed);
    CHECK(contains(run.stderr_text, "authentication failed"));
    CHECK(contains(run.stderr_text, why));
}

// Connects a DEALER with `client` keys to `address` and waits (bounded) for
// its handshake to succeed or fail; returns the failure, "" on success.
std::string handshake_with(const std::string& address, const CurveClientOptions& client) {
    zmq::context_t context;
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    make_curve_client(socket, client);
    HandshakeWatch watch(context, socket, true, "the management port");
    socket.connect(address);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!watch.failure() && !watch.has_succeeded() &&
           std::chrono::steady_clock::now() < deadline) {
        watch.wait(socket, std::min(deadline, std::chrono::steady_clock::now() +
                                                  std::chrono::milliseconds(50)));
    }
    if (watch.failure()) return *watch.failure();
    return watch.has_succeeded() ? "" : "no handshake within 10 s";
}

// A `fastqueue subworker` with the CURVE key pair `key_name` and the
// control plane's public key, on a free block of 4 ports; it registers by
// address, or through discovery at the control plane's base+6 when
// is_discovering. Returns at once.
struct CurveSubworker {
    int base_port = find_free_port_block(SubworkerProcess::kPortCount);
    std::string address = loopback_address(base_port);
    std::unique_ptr<Process> process;

    CurveSubworker(const RunningControlPlane& control_plane, const Keys& keys,
                   const std::string& worker_id, const char* key_name,
                   const char* control_plane_key_name = "cp", bool is_discovering = false) {
        std::vector<std::string> argv{
            fastqueue_binary(),    "subworker",
            "--worker-id",         worker_id,
            "--base-address",      address,
            "--task-modules",      "mytasks",
            "--modules-dir",       test_modules_dir(),
            "--concurrency",       "1",
            "--curve-secret-key",  keys.secret(key_name),
            "--control-plane-key", keys.public_key(control_plane_key_name)};
        if (is_discovering) {
            argv.insert(argv.end(),
                        {"--discovery-address", loopback_address(control_plane.base_port + 6)});
        } else {
            argv.insert(argv.end(), {"--control-plane-address", control_plane.address});
        }
        process = std::make_unique<Process>(argv);
    }
    ~CurveSubworker() {
        if (process->is_running()) process->stop_and_check(std::chrono::seconds(10));
    }
};

// `fastqueue workers --json` with the client's key, which must succeed.
nlohmann::json curve_workers(const RunningControlPlane& control_plane, const Keys& keys) {
    const auto run = control_plane.cli({"workers", "--json"}, keys.client_flags("client"));
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    return parse_json(run.stdout_text);
}

// Polls `fastqueue workers --json` until worker_id is listed active.
bool wait_until_listed(const RunningControlPlane& control_plane, const Keys& keys,
                       const std::string& worker_id) {
    return poll_until(
        [&] {
            const auto view = curve_workers(control_plane, keys);
            return view.contains("subworkers") && view["subworkers"].contains(worker_id) &&
                   view["subworkers"][worker_id].value("status", "") == "active";
        },
        std::chrono::seconds(15), std::chrono::milliseconds(100));
}

// A CURVE control plane that runs no task itself: every task goes to a
// subworker.
RunningControlPlane curve_control_plane_without_handlers(const Keys& keys) {
    return RunningControlPlane(
        {"--curve-secret-key", keys.secret("cp"), "--authorized-clients", keys.clients.string(),
         "--authorized-subworkers", keys.subworkers.string(), "--concurrency", "0"},
        curve_options(keys, "client"));
}

// A TCP relay on loopback that records every byte it forwards: it listens
// on base+2 of a free block of 5 ports (so that base_address() can be given
// as a control plane address for normal-priority submissions) and forwards
// each connection to 127.0.0.1:target_port.
class TcpCapture {
public:
    explicit TcpCapture(int target_port)
        : base_port_(find_free_port_block(5)), target_port_(target_port) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int yes = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        sockaddr_in address = loopback(base_port_ + 2);
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(listener_, 8) == 0);
        thread_ = std::thread([this] { run(); });
    }
    ~TcpCapture() { stop(); }
    std::string base_address() const { return loopback_address(base_port_); }

    // Stops relaying; everything forwarded, both ways.
    std::string stop() {
        is_stopping_ = true;
        if (thread_.joinable()) thread_.join();
        if (listener_ >= 0) ::close(listener_);
        listener_ = -1;
        return captured_;
    }

private:
    static sockaddr_in loopback(int port) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return address;
    }

    // Polls in slices of 50 ms until stop(); bounded by the test's own runs.
    void run() {
        std::vector<std::pair<int, int>> links;  // (accepted, upstream)
        while (!is_stopping_) {
            std::vector<pollfd> fds{{listener_, POLLIN, 0}};
            for (const auto& [down, up] : links) {
                fds.push_back({down, POLLIN, 0});
                fds.push_back({up, POLLIN, 0});
            }
            if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
            // Only the links polled this time: one accepted below waits for the next poll.
            const std::size_t polled_links = links.size();
            if (fds[0].revents & POLLIN) {
                const int down = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
                const int up = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                sockaddr_in target = loopback(target_port_);
                if (down >= 0 && up >= 0 &&
                    ::connect(up, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0) {
                    links.emplace_back(down, up);
                } else {
                    if (down >= 0) ::close(down);
                    if (up >= 0) ::close(up);
                }
            }
            for (std::size_t i = 0; i < polled_links; ++i) {
                const auto [down, up] = links[i];
                const bool is_closed =
                    !relay(fds[1 + 2 * i], down, up) || !relay(fds[2 + 2 * i], up, down);
                if (is_closed) {
                    ::close(down);
                    ::close(up);
                    links[i] = {-1, -1};
                }
            }
            std::erase(links, std::pair<int, int>{-1, -1});
        }
        for (const auto& [down, up] : links) {
            ::close(down);
            ::close(up);
        }
    }

    // Forwards what `from` has to `to`; false when the link is closed.
    bool relay(const pollfd& polled, int from, int to) {
        if ((polled.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return true;
        char buffer[65536];
        const ssize_t got = ::read(from, buffer, sizeof buffer);
        if (got <= 0) return false;
        captured_.append(buffer, static_cast<std::size_t>(got));
        return ::send(to, buffer, static_cast<std::size_t>(got), MSG_NOSIGNAL) == got;
    }

    int base_port_;
    int target_port_;
    int listener_ = -1;
    std::atomic<bool> is_stopping_{false};
    std::string captured_;  // written by the thread until stop() joins it
    std::thread thread_;
};

}  // namespace

TEST_CASE("curve: keygen writes a public .key and a 0600 .key_secret and never overwrites them") {
    TempDir dir;
    const fs::path prefix = dir.path / "server";
    const auto run = run_fastqueue({"keygen", "--out", prefix.string()});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    CHECK(mode_of(dir.path / "server.key_secret") == 0600);
    CHECK((mode_of(dir.path / "server.key") & 0077) != 0);  // readable by peers
    const std::string public_key = read_curve_public_key((dir.path / "server.key").string());
    CHECK(contains(run.stdout_text, public_key));
    CHECK(read_curve_secret_key((dir.path / "server.key_secret").string()).public_key ==
          public_key);

    const auto again = run_fastqueue({"keygen", "--out", prefix.string()});
    INFO(again.describe());
    CHECK(again.exit_code == 1);
    CHECK(contains(again.stderr_text, "already exists"));
    CHECK(read_curve_public_key((dir.path / "server.key").string()) == public_key);
}

TEST_CASE(
    "curve: a control plane with CURVE and no allow-list refuses to start, naming the flags") {
    Keys keys;
    const auto exited = run_control_plane_to_exit({"--curve-secret-key", keys.secret("cp")});
    INFO(exited.run.describe());
    CHECK(exited.run.exit_code == 2);
    CHECK(contains(exited.run.stderr_text, "--authorized-clients"));
    CHECK(contains(exited.run.stderr_text, "--authorized-subworkers"));
}

TEST_CASE("curve: an authorised client is served; unknown keys and plaintext clients exit 7") {
    Keys keys;
    RunningControlPlane control_plane = curve_control_plane(keys);

    const auto served = control_plane.cli({"submit", "--task-name", "add", "--args", "2", "3"},
                                          keys.client_flags("client"));
    INFO(served.describe());
    CHECK(served.exit_code == 0);
    CHECK(trim(served.stdout_text) == "5");

    check_auth_failed(control_plane.cli({"submit", "--task-name", "add", "--args", "1", "1"},
                                        keys.client_flags("stranger")),
                      "refused this client's CURVE key");
    check_auth_failed(control_plane.cli({"status", "--task-id", generate_uuid()}, {}),
                      "requires CURVE");
    // The right client key, but the wrong control plane key.
    std::vector<std::string> wrong_server = keys.client_flags("client");
    wrong_server.back() = keys.public_key("stranger");
    check_auth_failed(control_plane.cli({"status", "--task-id", generate_uuid()}, wrong_server),
                      "--control-plane-key is not its public key");
    // A key of the subworker allow-list is admitted on the client ports too.
    const auto worker =
        control_plane.cli({"status", "--task-id", generate_uuid()}, keys.client_flags("worker"));
    INFO(worker.describe());
    CHECK(worker.exit_code == 1);  // not found: served
    CHECK(contains(worker.stderr_text, "not found"));
}

TEST_CASE("curve: a CURVE client against a plaintext control plane exits 7") {
    Keys keys;
    RunningControlPlane control_plane({}, ClientOptions{});
    check_auth_failed(
        control_plane.cli({"status", "--task-id", generate_uuid()}, keys.client_flags("client")),
        "does not use CURVE");
}

TEST_CASE("curve: a key removed from the allow-list is refused without a restart") {
    Keys keys;
    RunningControlPlane control_plane = curve_control_plane(keys);
    const auto before =
        control_plane.cli({"status", "--task-id", generate_uuid()}, keys.client_flags("client"));
    INFO(before.describe());
    REQUIRE(before.exit_code == 1);  // served: not found

    fs::remove(keys.clients / "client.key");
    RunResult after;
    const bool is_refused = poll_until(
        [&] {
            after = control_plane.cli({"status", "--task-id", generate_uuid()},
                                      keys.client_flags("client"));
            return after.exit_code == kExitAuthFailed;
        },
        std::chrono::seconds(15), std::chrono::milliseconds(200));
    INFO(after.describe());
    CHECK(is_refused);

    // Added again, it is admitted again.
    fs::copy_file(keys.dir.path / "client.key", keys.clients / "client.key");
    const bool is_admitted = poll_until(
        [&] {
            return control_plane
                       .cli({"status", "--task-id", generate_uuid()}, keys.client_flags("client"))
                       .exit_code == 1;
        },
        std::chrono::seconds(15), std::chrono::milliseconds(200));
    CHECK(is_admitted);
}

TEST_CASE("curve: the management port admits subworker keys only") {
    Keys keys;
    RunningControlPlane control_plane = curve_control_plane(keys);
    const std::string management = loopback_address(control_plane.base_port + 5);
    const std::string server_key = read_curve_public_key(keys.public_key("cp"));

    const std::string as_client =
        handshake_with(management, {read_curve_secret_key(keys.secret("client")), server_key});
    CHECK(contains(as_client, "refused this client's CURVE key"));
    const std::string as_worker =
        handshake_with(management, {read_curve_secret_key(keys.secret("worker")), server_key});
    CHECK(as_worker.empty());
}

TEST_CASE("curve: a payload crosses the wire encrypted (and in clear without CURVE)") {
    Keys keys;
    const std::string marker = "payload-marker-" + generate_uuid();
    {
        RunningControlPlane control_plane = curve_control_plane(keys);
        TcpCapture capture(control_plane.base_port + 2);  // the normal-priority port
        const auto run = run_fastqueue(
            {"submit", "--task-name", "echo", "--args", marker, "--control-plane-address",
             capture.base_address(), "--timeout", kClientTimeoutSeconds, "--curve-secret-key",
             keys.secret("client"), "--control-plane-key", keys.public_key("cp")});
        INFO(run.describe());
        REQUIRE(run.exit_code == 0);
        CHECK(contains(run.stdout_text, marker));
        const std::string bytes = capture.stop();
        CHECK(bytes.size() > marker.size());
        CHECK_FALSE(contains(bytes, marker));
    }
    // The same capture of a plaintext control plane shows the payload: the
    // check above can see it.
    RunningControlPlane control_plane({}, ClientOptions{});
    TcpCapture capture(control_plane.base_port + 2);
    const auto run =
        run_fastqueue({"submit", "--task-name", "echo", "--args", marker, "--control-plane-address",
                       capture.base_address(), "--timeout", kClientTimeoutSeconds});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    CHECK(contains(capture.stop(), marker));
}

TEST_CASE(
    "curve: an authorised subworker runs tasks end to end; unauthorised ones are never listed") {
    Keys keys;
    RunningControlPlane control_plane = curve_control_plane_without_handlers(keys);
    // A key only in --authorized-clients, and a key in no allow-list.
    CurveSubworker as_client(control_plane, keys, "intruder-client", "client");
    CurveSubworker stranger(control_plane, keys, "intruder-stranger", "stranger");
    CurveSubworker sw1(control_plane, keys, "sw1", "worker");
    INFO("sw1: " << sw1.process->stderr_text());
    REQUIRE(wait_until_listed(control_plane, keys, "sw1"));

    ClientOptions options = curve_options(keys, "client");
    options.control_plane_address = control_plane.address;
    Client client(options);
    std::vector<std::string> task_ids;
    for (int i = 0; i < 5; ++i) {
        task_ids.push_back(client.submit("echo", echo_payload("curve-task-" + std::to_string(i))));
    }
    const auto records = wait_for_all_finished(options, task_ids, std::chrono::seconds(30));
    INFO(describe_unsuccessful(records));
    for (std::size_t i = 0; i < records.size(); ++i) {
        CHECK(records[i].state == TaskState::success);
        CHECK(records[i].worker_id == "sw1");
        CHECK(contains(records[i].result, "curve-task-" + std::to_string(i)));
    }

    // The intruders kept knocking all along and are still running, never listed.
    const auto view = curve_workers(control_plane, keys);
    INFO(view.dump(2));
    CHECK(view["subworkers"].size() == 1);
    CHECK_FALSE(view["subworkers"].contains("intruder-client"));
    CHECK_FALSE(view["subworkers"].contains("intruder-stranger"));
    CHECK(as_client.process->is_running());
    CHECK(stranger.process->is_running());
    CHECK(contains(control_plane.process->stderr_text(), "refused a CURVE connection"));
}

TEST_CASE("curve: a CURVE subworker's task ports admit the control plane's key alone") {
    Keys keys;
    RunningControlPlane control_plane = curve_control_plane_without_handlers(keys);
    CurveSubworker sw1(control_plane, keys, "sw1", "worker");
    INFO("sw1: " << sw1.process->stderr_text());
    REQUIRE(wait_until_listed(control_plane, keys, "sw1"));

    // A client submitting straight to the subworker, which it knows the key of.
    const auto direct = run_fastqueue(
        {"submit", "--task-name", "echo", "--args", "behind-its-back", "--control-plane-address",
         sw1.address, "--timeout", kClientTimeoutSeconds, "--curve-secret-key",
         keys.secret("client"), "--control-plane-key", keys.public_key("worker")});
    check_auth_failed(direct, "refused this client's CURVE key");

    const std::string worker_key = read_curve_public_key(keys.public_key("worker"));
    const std::string task_port = loopback_address(sw1.base_port);
    CHECK(contains(
        handshake_with(task_port, {read_curve_secret_key(keys.secret("stranger")), worker_key}),
        "refused this client's CURVE key"));
    // The same port takes the control plane's key (the handshake alone).
    CHECK(
        handshake_with(task_port, {read_curve_secret_key(keys.secret("cp")), worker_key}).empty());
}

TEST_CASE("curve: a subworker follows discovery only from the control plane's key") {
    Keys keys;
    RunningControlPlane control_plane = curve_control_plane_without_handlers(keys);
    CurveSubworker found(control_plane, keys, "sw1", "worker", "cp", /*is_discovering=*/true);
    INFO("sw1: " << found.process->stderr_text());
    CHECK(wait_until_listed(control_plane, keys, "sw1"));

    // Told another key, it hears no announcement and gives up.
    CurveSubworker misled(control_plane, keys, "sw2", "worker", "stranger",
                          /*is_discovering=*/true);
    const auto exit_code = misled.process->wait_for_exit(std::chrono::seconds(30));
    INFO("sw2: " << misled.process->stderr_text());
    REQUIRE(exit_code.has_value());
    CHECK(*exit_code == 3);
    CHECK(contains(misled.process->stderr_text(), "no control plane announced itself"));
    CHECK_FALSE(curve_workers(control_plane, keys)["subworkers"].contains("sw2"));
}

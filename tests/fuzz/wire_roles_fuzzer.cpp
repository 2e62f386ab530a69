// wire_roles_fuzzer.cpp -- libFuzzer target for whole messages on every port
// of every role: a real ControlPlane and a real Subworker run in this
// process on free 127.0.0.1 ports, and each input is one multipart message
// sent to one of their ten ports (control plane base+0..5, subworker
// base+0..3), exactly as a peer on the network would send it.
//
// Input: wire_input.hpp (a port byte, then frames: literal bytes, or a recipe
// for a hostile frame such as JSON nested 100,000 deep or a 17 MiB frame).
//
// Contract checked: after the message, the port still answers. A sentinel
// that the port always answers at once (below) follows the message on the
// same connection, and its answer must come within kAnswerDeadline;
// otherwise the role hung or died and the target aborts. A role that
// crashes takes this process with it, which libFuzzer reports as a crash of
// this input. The sentinel is sent again every kResendInterval, since a
// port may drop a connection that sent an oversized message.
//
// Structure: LLVMFuzzerCustomMutator parses the input, changes one thing
// (the port, one frame's bytes through LLVMFuzzerMutate, a recipe or its
// parameter, or inserts, deletes, duplicates, swaps or replaces frames with
// hostile ones), and writes it back; LLVMFuzzerCustomCrossOver splices the
// frames of two inputs.
//
// Every connection stays inside this process: the subworker registers with
// this control plane, and any address in a REGISTER that the control plane
// could connect to is replaced by the subworker's before it is sent.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/endpoint.hpp"
#include "control_plane/control_plane.hpp"
#include "plugins/task_context.hpp"
#include "plugins/task_registry.hpp"
#include "protocol/codec.hpp"
#include "subworker/subworker.hpp"
#include "transport/receive_frames.hpp"
#include "wire_input.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using namespace fastqueue;
using namespace fastqueue::fuzz;
using namespace std::chrono_literals;

// Far beyond any healthy answer, even in the ASan fuzzing build on a loaded
// machine, where the largest generated JSON takes a role about 3 s to parse;
// below run_fuzzer.sh's -timeout, so that a hang is reported as this.
constexpr auto kAnswerDeadline = 10s;
constexpr auto kResendInterval = 1s;
constexpr auto kPollSlice = 50ms;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "wire_roles_fuzzer: %s\n", what.c_str());
    std::abort();
}

// Runs `call` again when a signal interrupts it: libFuzzer's timer signals
// (SIGALRM, for -timeout) may land on this thread.
template <class Call>
auto retry_on_signal(const Call& call) {
    while (true) {
        try {
            return call();
        } catch (const zmq::error_t& error) {
            if (error.num() != EINTR) throw;
        }
    }
}

// Sends one frame of a multipart message; false when the port takes none
// within the socket's send timeout.
bool send_frame(zmq::socket_t& socket, zmq::message_t& frame, bool is_last) {
    const auto flags = is_last ? zmq::send_flags::none : zmq::send_flags::sndmore;
    return retry_on_signal([&] { return socket.send(frame, flags).has_value(); });
}

int echo_task(fq_task_context* ctx, const std::uint8_t* input, std::size_t size, void*) {
    ctx->set_result(input, size);
    return FQ_OK;
}

int fail_task(fq_task_context* ctx, const std::uint8_t*, std::size_t, void*) {
    ctx->set_error("failed on purpose");
    return FQ_ERROR;
}

std::string task_id_for(std::uint64_t count) {
    char text[37];
    std::snprintf(text, sizeof text, "5e171e10-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(count));
    return text;
}

// A message the port answers at once without changing what it serves, and
// the bytes of frame 2 of that answer (a task id or worker id, new for each
// input so that no earlier input can have claimed it).
struct Sentinel {
    protocol::Message message;
    std::string answer_id;
};

Sentinel sentinel_for(Port port, std::uint64_t count) {
    const std::string task_id = task_id_for(count);
    switch (port) {
        case kControlPlaneQuery:  // NOT_FOUND
            return {protocol::Query{task_id}, task_id};
        case kControlPlaneManagement: {  // REREGISTER: the id is not registered
            const std::string worker_id = "sentinel-" + std::to_string(count);
            return {protocol::Heartbeat{worker_id, 0}, worker_id};
        }
        case kSubworkerCritical:
        case kSubworkerHigh:
        case kSubworkerNormal:
        case kSubworkerLow:  // CANCEL_REPLY not_found
            return {protocol::Cancel{task_id}, task_id};
        default:  // ACK (or REFUSED "busy"): a task no one runs ends at once
            return {protocol::Submit{task_id, "fuzz.sentinel", false, zmq::message_t(), {}},
                    task_id};
    }
}

// The two roles, their task registry, and one DEALER per port.
class Roles {
public:
    Roles() {
        spdlog::set_level(spdlog::level::off);
        add_task("echo", &echo_task);
        add_task("fail", &fail_task);
        start_roles();
        for (int port = 0; port < kPortCount; ++port) {
            zmq::socket_t& socket = senders_[port];
            socket = zmq::socket_t(context_, zmq::socket_type::dealer);
            socket.set(zmq::sockopt::linger, 0);
            socket.set(zmq::sockopt::sndtimeo,
                       static_cast<int>(std::chrono::milliseconds(kAnswerDeadline).count()));
            socket.connect(address_of(static_cast<Port>(port)));
        }
    }

    void send_and_check(const WireInput& input) {
        const auto port = static_cast<Port>(input.port % kPortCount);
        zmq::socket_t& socket = senders_[port];
        std::vector<std::string> frames;
        for (const WireFrame& frame : input.frames) frames.push_back(expand_frame(frame));
        keep_connections_in_process(frames);
        for (std::size_t i = 0; i < frames.size(); ++i) {
            zmq::message_t frame = protocol::owning_frame(std::move(frames[i]));
            if (!send_frame(socket, frame, i + 1 == frames.size())) {
                fail(address_of(port) + " takes no message: hung");
            }
        }
        expect_answer(port);
    }

private:
    void add_task(const char* name, fq_task_handler handler) {
        RegisteredTask task;
        task.name = name;
        task.handler = handler;
        registry_.add(std::move(task));
    }

    // Starts both roles on random free ports (a bind that fails is retried
    // elsewhere).
    void start_roles() {
        std::mt19937 random(std::random_device{}());
        std::uniform_int_distribution<int> ports(20000, 60000);
        for (int attempt = 0; attempt < 50 && !control_plane_; ++attempt) {
            ControlPlaneSettings settings;
            settings.base_address = "tcp://127.0.0.1:" + std::to_string(ports(random));
            settings.discovery_address = "tcp://127.0.0.1:" + std::to_string(ports(random));
            settings.result_cache_size = 1000;
            settings.result_cache_bytes = 64 * 1024 * 1024;
            settings.max_queued = 10000;
            settings.engine.concurrency = 2;
            // Its handlers are registered in-process, not loaded from plugins.
            settings.engine.isolation = Isolation::thread;
            settings.engine.log_level = LogLevel::off;
            settings.engine.shutdown_grace_seconds = 1;
            try {
                control_plane_ = std::make_unique<ControlPlane>(settings, registry_);
                control_plane_base_ = settings.base_address;
            } catch (const std::runtime_error&) {
            }
        }
        for (int attempt = 0; attempt < 50 && !subworker_; ++attempt) {
            SubworkerSettings settings;
            settings.worker_id = "fuzz-subworker";
            settings.control_plane_address = control_plane_base_;
            settings.base_address = "tcp://127.0.0.1:" + std::to_string(ports(random));
            settings.prefetch = 8;
            settings.engine.concurrency = 2;
            settings.engine.log_level = LogLevel::off;
            settings.engine.shutdown_grace_seconds = 1;
            try {
                subworker_ = std::make_unique<Subworker>(settings, registry_);
                subworker_base_ = settings.base_address;
            } catch (const std::runtime_error&) {
            }
        }
        if (!control_plane_ || !subworker_) fail("no free ports for the roles");
    }

    std::string address_of(Port port) const {
        if (port >= kSubworkerCritical) {
            return parse_endpoint(subworker_base_)
                ->with_port_offset(port - kSubworkerCritical)
                .to_string();
        }
        return parse_endpoint(control_plane_base_)->with_port_offset(port).to_string();
    }

    // The control plane connects to the address a REGISTER names when it
    // dispatches there. Any address it could connect to becomes the
    // subworker's, so no traffic leaves this process; addresses that do not
    // parse (or the wildcard) are kept, as the codec refuses them.
    void keep_connections_in_process(std::vector<std::string>& frames) const {
        if (frames.size() < 4 || frames[1] != "REGISTER") return;
        const auto endpoint = parse_endpoint(frames[3]);
        if (endpoint && endpoint->host != "*") frames[3] = subworker_base_;
    }

    void send_sentinel(zmq::socket_t& socket, protocol::Message&& message) {
        protocol::Frames frames = protocol::encode(std::move(message));
        for (std::size_t i = 0; i < frames.size(); ++i) {
            if (!send_frame(socket, frames[i], i + 1 == frames.size())) {
                fail("the sentinel cannot be sent: hung");
            }
        }
    }

    // Reads answers until one names the sentinel's id; other answers (to the
    // input, or late results of earlier tasks) are skipped.
    void expect_answer(Port port) {
        zmq::socket_t& socket = senders_[port];
        const std::uint64_t count = ++sentinel_count_;
        const std::string answer_id = sentinel_for(port, count).answer_id;
        const auto start = std::chrono::steady_clock::now();
        auto next_send = start;
        while (true) {
            const auto now = std::chrono::steady_clock::now();
            if (now - start > kAnswerDeadline) {
                fail(address_of(port) + " did not answer within " +
                     std::to_string(std::chrono::seconds(kAnswerDeadline).count()) +
                     " s after this input: the role hung or died");
            }
            if (now >= next_send) {
                Sentinel sentinel = sentinel_for(port, count);
                send_sentinel(socket, std::move(sentinel.message));
                next_send = now + kResendInterval;
            }
            zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
            retry_on_signal([&] { return zmq::poll(&item, 1, kPollSlice); });
            if (!(item.revents & ZMQ_POLLIN)) continue;
            auto frames =
                retry_on_signal([&] { return receive_frames(socket, protocol::kMaxBodyFrames); });
            if (!frames || frames->size() < 3) continue;
            if ((*frames)[2].to_string_view() == answer_id) return;
        }
    }

    // Destroyed in reverse: the sockets and their context, then the
    // subworker (it deregisters), then the control plane.
    TaskRegistry registry_;
    std::unique_ptr<ControlPlane> control_plane_;
    std::unique_ptr<Subworker> subworker_;
    std::string control_plane_base_;
    std::string subworker_base_;
    zmq::context_t context_{1};
    std::array<zmq::socket_t, kPortCount> senders_;
    std::uint64_t sentinel_count_ = 0;
};

std::unique_ptr<Roles> roles;

// Parameters at and around the documented limits (docs/protocol.md), and
// the depths and sizes that broke roles before.
// clang-format off
constexpr std::array<std::uint32_t, 36> kInterestingSizes = {
    0, 1, 2, 35, 36, 37, 127, 128, 129, 255, 256, 257, 512, 513, 1024, 1025, 4096, 4097,
    10000, 10001, 60000, 65532, 65535, 65536, 100000, 200000, 1000000,
    1 << 20, (1 << 20) + 1, 2 << 20, (2 << 20) + 1, 4 << 20, (4 << 20) + 1, 16 << 20,
    (16 << 20) + 4097, 24 << 20};
// clang-format on

template <class Random>
std::uint32_t pick(Random& random, std::uint32_t bound) {
    return bound == 0 ? 0 : static_cast<std::uint32_t>(random() % bound);
}

template <class Random>
std::uint32_t interesting_parameter(Random& random) {
    switch (pick(random, 4)) {
        case 0:
            return static_cast<std::uint32_t>(random());
        case 1:
            return pick(random, 64);
        default:
            return kInterestingSizes[pick(random, kInterestingSizes.size())];
    }
}

template <class Random>
WireFrame hostile_frame(Random& random) {
    WireFrame frame;
    frame.is_generated = true;
    frame.recipe = static_cast<Recipe>(pick(random, kRecipeCount));
    frame.parameter = interesting_parameter(random);
    return frame;
}

template <class Random>
void tweak_parameter(WireFrame& frame, Random& random) {
    switch (pick(random, 5)) {
        case 0:
            frame.parameter = interesting_parameter(random);
            break;
        case 1:
            frame.parameter += 1;
            break;
        case 2:
            frame.parameter -= 1;
            break;
        case 3:
            frame.parameter ^= 1u << pick(random, 32);
            break;
        default:
            frame.recipe = static_cast<Recipe>(pick(random, kRecipeCount));
            break;
    }
}

// Runs libFuzzer's own byte mutations on a literal frame.
void mutate_bytes(WireFrame& frame, std::size_t max_size) {
    const std::size_t capacity =
        std::min(max_size, std::max<std::size_t>(64, frame.bytes.size() * 2));
    std::vector<std::uint8_t> buffer(capacity);
    const std::size_t size = std::min(frame.bytes.size(), capacity);
    std::memcpy(buffer.data(), frame.bytes.data(), size);
    const std::size_t mutated = LLVMFuzzerMutate(buffer.data(), size, capacity);
    frame.bytes.assign(reinterpret_cast<const char*>(buffer.data()), mutated);
}

// Changes one thing in the input.
template <class Random>
void mutate(WireInput& input, Random& random, std::size_t max_size) {
    auto& frames = input.frames;
    const std::size_t count = frames.size();
    const std::uint32_t at = pick(random, static_cast<std::uint32_t>(count));
    const std::uint32_t operation = count == 0 ? 4 : pick(random, 10);
    switch (operation) {
        case 0:
            input.port = static_cast<std::uint8_t>(pick(random, kPortCount));
            break;
        case 1:
        case 2:
            if (frames[at].is_generated) {
                tweak_parameter(frames[at], random);
            } else {
                mutate_bytes(frames[at], max_size);
            }
            break;
        case 3:  // a small generated frame becomes bytes, for byte mutations inside it
            if (frames[at].is_generated) {
                std::string bytes = expand_frame(frames[at]);
                if (bytes.size() <= 512) frames[at] = WireFrame{false, kNestedArrays, 0, bytes};
            }
            break;
        case 4:
            if (count < kMaxFrames) {
                frames.insert(frames.begin() + pick(random, static_cast<std::uint32_t>(count + 1)),
                              hostile_frame(random));
            }
            break;
        case 5:
            frames.erase(frames.begin() + at);
            break;
        case 6:
            if (count < kMaxFrames) frames.insert(frames.begin() + at, frames[at]);
            break;
        case 7:
            std::swap(frames[at], frames[pick(random, static_cast<std::uint32_t>(count))]);
            break;
        default:
            frames[at] = hostile_frame(random);
            break;
    }
}

// Writes input into out (at most max_size bytes), dropping frames from the
// end until it fits; returns the size written.
std::size_t write_bounded(WireInput& input, std::uint8_t* out, std::size_t max_size) {
    std::string bytes = serialize_wire_input(input);
    while (bytes.size() > max_size && !input.frames.empty()) {
        input.frames.pop_back();
        bytes = serialize_wire_input(input);
    }
    const std::size_t size = std::min(bytes.size(), max_size);
    std::memcpy(out, bytes.data(), size);
    return size;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    roles = std::make_unique<Roles>();
    // The roles log while they stop, so they must stop before spdlog's
    // registry (a static made after `roles`) is destroyed at exit: exit
    // handlers and static destructors run in reverse order of registration.
    std::atexit([] { roles.reset(); });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    roles->send_and_check(parse_wire_input(data, size));
    return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
    std::minstd_rand random(seed);
    WireInput input = parse_wire_input(data, size);
    const std::uint32_t changes = 1 + pick(random, 3);
    for (std::uint32_t i = 0; i < changes; ++i) mutate(input, random, max_size);
    return write_bounded(input, data, max_size);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2,
                                                 std::uint8_t* out, std::size_t max_out_size,
                                                 unsigned int seed) {
    std::minstd_rand random(seed);
    WireInput first = parse_wire_input(data1, size1);
    const WireInput second = parse_wire_input(data2, size2);
    // The first input's port and leading frames, then the second's trailing ones.
    first.frames.resize(pick(random, static_cast<std::uint32_t>(first.frames.size() + 1)));
    const std::size_t from = pick(random, static_cast<std::uint32_t>(second.frames.size() + 1));
    for (std::size_t i = from; i < second.frames.size() && first.frames.size() < kMaxFrames; ++i) {
        first.frames.push_back(second.frames[i]);
    }
    return write_bounded(first, out, max_out_size);
}

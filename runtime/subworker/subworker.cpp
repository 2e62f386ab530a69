// subworker.cpp -- see subworker.hpp.
//
// Threads: as in the control plane, one I/O thread owns every socket (the
// four task ports and the management DEALER), the local priority queue and
// the table of held (queued and running) tasks; the execution engine's
// handler threads only run handlers and post outcomes back through a mailbox.
//
// The link to the control plane is a small state machine on the I/O thread:
//   registering --REGISTERED--> registered --silence or REREGISTER--> registering
// While registering, REGISTER is resent with exponential backoff (a fresh
// DEALER each time, so that nothing stale is delivered late); while
// registered, a HEARTBEAT carrying the load and the engine's count of task
// process restarts goes out every interval and any message from the control
// plane counts as a sign of life. Tasks keep running, and their results keep
// being sent, whatever the link's state.
#include "subworker/subworker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "common/backoff.hpp"
#include "common/endpoint.hpp"
#include "common/mailbox.hpp"
#include "common/receive_batch.hpp"
#include "common/rejection_log.hpp"
#include "common/role_thread.hpp"
#include "common/wakeup.hpp"
#include "config/engine_keys.hpp"
#include "execution/engine_drain.hpp"
#include "execution/execution_engine.hpp"
#include "execution/priority_queue.hpp"
#include "execution/unstarted_tasks.hpp"
#include "plugins/task_registry.hpp"
#include "protocol/codec.hpp"
#include "transport/curve_socket.hpp"
#include "transport/frame_limits.hpp"
#include "transport/input_poller.hpp"
#include "transport/receive_frames.hpp"
#include "transport/router_socket.hpp"
#include "transport/zap_handler.hpp"

namespace fastqueue {
namespace {

// How long a subworker waits for its task processes before it registers.
constexpr auto kExecutorsReadyWait = std::chrono::seconds(10);

using SteadyClock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

// REGISTER is resent after kRegisterBackoffInitial without an answer, then
// after twice as long each time, up to kRegisterBackoffMax, each wait varied
// by +-kRegisterJitter so that many subworkers do not retry in step.
constexpr Milliseconds kRegisterBackoffInitial{250};
constexpr Milliseconds kRegisterBackoffMax{5000};
constexpr double kRegisterJitter = 0.2;
// A registration without an answer is logged as a warning this often.
constexpr std::chrono::seconds kRegisterWarnInterval{5};
// After DEREGISTER, how long the task ports are still read (to refuse what
// the control plane sent before it processed the DEREGISTER) even when no
// task runs.
constexpr Milliseconds kDeregisterSettle{300};
// How long closing the management socket waits to flush a DEREGISTER.
constexpr int kManagementCloseLingerMs = 500;

constexpr const char* kShuttingDown = "subworker shutting down";

}  // namespace

struct Subworker::Impl {
    // The types of Impl's members are nested here, not in an anonymous
    // namespace: Impl has linkage, so the types of its members need it too.

    // A task this subworker holds until it ends: queued or running.
    struct HeldTask {
        TaskRecord record;
        zmq::message_t payload;     // held while queued; moved to the engine on start
        int port = 0;               // the task port it came in on, where RESULT goes
        zmq::message_t routing_id;  // the sender on that port
        // Its run-time limits as the control plane sent them. Retries and start
        // times are the control plane's business; a subworker runs what it gets.
        std::chrono::milliseconds timeout{0};
        std::chrono::milliseconds fallback_timeout{0};
    };

    enum class Link { registering, registered };

    Impl(const SubworkerSettings& settings_in, const TaskRegistry& registry_in)
        : settings(settings_in), registry(registry_in), random(std::random_device{}()) {}

    const SubworkerSettings settings;
    const TaskRegistry& registry;
    std::string management_address;  // the control plane's subworker port

    zmq::context_t context{1};
    // With CURVE (both key files given): this subworker's keys and the
    // control plane's public key, and the ZAP handler that admits that one
    // key on the task ports (started before they are bound, stopped after
    // they close).
    std::optional<CurveClientOptions> curve;
    std::unique_ptr<ZapHandler> zap;
    std::array<RouterSocket, kPriorityCount> task_ports;
    std::optional<zmq::socket_t> management;  // DEALER; recreated on each reconnect

    Mailbox<TaskOutcome> completions;
    std::atomic<bool> has_abandoned_handlers{false};
    std::atomic<SubworkerExit> exit_reason{SubworkerExit::running};
    mutable std::mutex refusal_mutex;
    std::string refusal_reason;  // guarded by refusal_mutex

    std::unique_ptr<ExecutionEngine> engine;
    int answers_fd = -1;               // the engine's owner answers; -1 in thread isolation
    PriorityQueue<std::string> queue;  // ids of queued tasks
    std::unordered_map<std::string, HeldTask> held;  // queued and running tasks
    RejectionLog rejections;                         // messages_rejected in stats()

    // The link to the control plane (I/O thread only).
    Link link = Link::registering;
    bool is_register_unsent = false;      // REGISTER waits for the DEALER to connect
    std::uint32_t register_attempts = 0;  // REGISTERs sent since registering began
    SteadyClock::time_point register_retry_at{};
    SteadyClock::time_point registering_since{};
    SteadyClock::time_point next_register_warning{};
    // The config/ defaults until REGISTERED names the control plane's own.
    Milliseconds heartbeat_interval{kDefaultHeartbeatIntervalMs};
    std::uint32_t heartbeat_liveness = kDefaultHeartbeatLiveness;
    SteadyClock::time_point next_heartbeat_at{};
    SteadyClock::time_point last_heard_at{};
    std::mt19937 random;

    // Stopping (I/O thread only).
    std::optional<EngineDrain> drain;
    SteadyClock::time_point settle_until{};

    // Last member: destroyed (stopped and joined) before anything the loop uses.
    RoleThread role_thread;

    void bind_ports();
    void resolve_management_address();
    void read_curve_keys();
    void run();

    // Named actions of the I/O thread: the link.
    void connect_management();
    void attempt_registration(bool is_reconnect);
    void start_registering(bool is_reconnect);
    void send_register();
    // Says where registration knocks and what to check, every
    // kRegisterWarnInterval while it goes unanswered.
    void warn_if_unanswered(SteadyClock::time_point now);
    void receive_management();
    void handle_management_message(protocol::Message&& message);
    void send_heartbeat();
    void check_control_plane_liveness();
    bool send_management(protocol::Message&& message);
    SteadyClock::time_point next_link_deadline() const;

    // Named actions of the I/O thread: tasks.
    void receive_task_messages(int port);
    void accept_submission(int port, zmq::message_t& routing_id, protocol::Submit&& submit);
    void refuse_submission(int port, zmq::message_t& routing_id, const protocol::Submit& submit);
    bool acknowledge_if_held(int port, zmq::message_t& routing_id, const std::string& task_id);
    void dispatch_queued_tasks();
    // Queues a task the engine gave back unstarted again, at the head of its
    // priority (execution/unstarted_tasks.hpp).
    void requeue_unstarted(TaskAssignment&& unstarted);
    void collect_completions();
    void finish_task(TaskOutcome&& outcome);
    void refuse_queued_tasks();
    void cancel_task(int port, zmq::message_t& routing_id, const protocol::Cancel& cancel);
    void begin_stop(bool should_deregister);
};

void Subworker::Impl::bind_ports() {
    std::string error;
    auto base = parse_endpoint(settings.base_address, &error);
    if (!base)
        throw std::runtime_error("invalid base address '" + settings.base_address + "': " + error);
    // With CURVE the task ports take work only from the control plane's key.
    std::optional<CurveServerOptions> server;
    if (curve) {
        ZapPolicy policy;
        policy.control_plane_key = curve->server_public_key;
        zap = std::make_unique<ZapHandler>(context, policy);
        server = CurveServerOptions{curve->keys, kTaskPortZapDomain};
    }
    for (int port = 0; port < kPriorityCount; ++port) {
        task_ports[port] = RouterSocket(context, base->with_port_offset(port).to_string(),
                                        task_port_frame_bytes(settings.max_payload_bytes),
                                        server ? &*server : nullptr);
    }
}

void Subworker::Impl::read_curve_keys() {
    if (settings.curve_secret_key.empty()) return;
    curve = read_curve_client_options(settings.curve_secret_key, settings.control_plane_key);
    spdlog::info("CURVE on: public key {}, control plane key {}", curve->keys.public_key,
                 curve->server_public_key);
}

void Subworker::Impl::resolve_management_address() {
    if (!settings.control_plane_address) {
        throw std::runtime_error("no control plane address (discovery must resolve it first)");
    }
    std::string error;
    auto base = parse_endpoint(*settings.control_plane_address, &error);
    if (!base) {
        throw std::runtime_error("invalid control plane address '" +
                                 *settings.control_plane_address + "': " + error);
    }
    const int port =
        settings.control_plane_subworker_port.value_or(base->port + kSubworkerPortOffset);
    management_address = Endpoint{base->host, port}.to_string();
}

void Subworker::Impl::connect_management() {
    // A fresh socket drops whatever the previous one still queued (linger 0),
    // and ZMQ_IMMEDIATE keeps messages off connections not yet made, so a
    // control plane that comes back never receives a stale burst.
    management.reset();
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::immediate, 1);
    socket.set(zmq::sockopt::maxmsgsize, kSmallFrameBytes);
    if (curve) make_curve_client(socket, *curve);
    try {
        socket.connect(management_address);
    } catch (const zmq::error_t& error) {
        throw std::runtime_error("cannot connect to " + management_address + ": " + error.what());
    }
    management = std::move(socket);
}

bool Subworker::Impl::send_management(protocol::Message&& message) {
    if (!management) return false;
    auto frames = protocol::encode(std::move(message));
    try {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const auto flags = i + 1 < frames.size()
                                   ? zmq::send_flags::sndmore | zmq::send_flags::dontwait
                                   : zmq::send_flags::dontwait;
            // With ZMQ_IMMEDIATE a send fails at once (EAGAIN) while the
            // connection is not made; later frames follow the first.
            if (!management->send(frames[i], flags)) return false;
        }
        return true;
    } catch (const zmq::error_t& error) {
        spdlog::debug("send to {} failed: {}", management_address, error.what());
        return false;
    }
}

void Subworker::Impl::send_register() {
    protocol::Register message;
    message.worker_id = settings.worker_id;
    message.address = settings.base_address;
    message.capacity = static_cast<std::uint32_t>(std::max<std::size_t>(1, engine->concurrency()));
    message.prefetch = settings.prefetch;
    message.task_names = registry.task_names();
    message.max_payload_bytes = static_cast<std::uint32_t>(settings.max_payload_bytes);
    is_register_unsent = !send_management(std::move(message));
}

void Subworker::Impl::attempt_registration(bool is_reconnect) {
    if (is_reconnect || !management) connect_management();
    send_register();
    register_attempts += 1;
    register_retry_at =
        SteadyClock::now() + backoff_delay(kRegisterBackoffInitial, register_attempts,
                                           kRegisterBackoffMax, kRegisterJitter, random);
}

void Subworker::Impl::start_registering(bool is_reconnect) {
    link = Link::registering;
    register_attempts = 0;
    registering_since = SteadyClock::now();
    next_register_warning = registering_since + kRegisterWarnInterval;
    attempt_registration(is_reconnect);
}

void Subworker::Impl::warn_if_unanswered(SteadyClock::time_point now) {
    if (now < next_register_warning) return;
    next_register_warning = now + kRegisterWarnInterval;
    spdlog::warn(
        "no answer from the control plane at {} for {} s ({} REGISTER(s) sent): check that a "
        "control plane runs there, that this is its subworker port (its --subworker-port, "
        "base+5 by default) and that this host can reach it",
        management_address,
        std::chrono::duration_cast<std::chrono::seconds>(now - registering_since).count(),
        register_attempts);
}

void Subworker::Impl::send_heartbeat() {
    // The restart count rides on every heartbeat, so that the control
    // plane's WORKERS view follows it within an interval.
    const auto restarts = static_cast<std::uint32_t>(std::min<std::uint64_t>(
        engine->task_process_restarts(), protocol::kMaxTaskProcessRestarts));
    send_management(
        protocol::Heartbeat{settings.worker_id, static_cast<std::uint32_t>(held.size()), restarts});
    next_heartbeat_at = SteadyClock::now() + heartbeat_interval;
}

void Subworker::Impl::check_control_plane_liveness() {
    const auto silence_limit = heartbeat_interval * heartbeat_liveness;
    if (SteadyClock::now() - last_heard_at < silence_limit) return;
    spdlog::warn("control plane at {} silent for {} ms: registering again", management_address,
                 silence_limit.count());
    start_registering(/*is_reconnect=*/true);
}

SteadyClock::time_point Subworker::Impl::next_link_deadline() const {
    if (link == Link::registering) return register_retry_at;
    return std::min(next_heartbeat_at, last_heard_at + heartbeat_interval * heartbeat_liveness);
}

void Subworker::Impl::receive_management() {
    for (int i = 0; i < kReceiveBatch && management; ++i) {
        std::optional<protocol::Frames> frames;
        try {
            frames = receive_frames(*management, protocol::kMaxBodyFrames);
        } catch (const zmq::error_t& error) {
            spdlog::warn("receive from {} failed: {}", management_address, error.what());
            return;
        }
        if (!frames) return;
        auto decoded = protocol::decode(*frames);
        if (!decoded.message) {
            rejections.record("the control plane", management_address, decoded.error);
            continue;
        }
        handle_management_message(std::move(*decoded.message));
    }
}

void Subworker::Impl::handle_management_message(protocol::Message&& message) {
    last_heard_at = SteadyClock::now();
    if (const auto* registered = std::get_if<protocol::Registered>(&message)) {
        heartbeat_interval =
            Milliseconds(std::max<std::uint32_t>(1, registered->heartbeat_interval_ms));
        heartbeat_liveness = std::max<std::uint32_t>(1, registered->heartbeat_liveness);
        if (link == Link::registering) {
            spdlog::info(
                "registered with the control plane at {} (heartbeat every {} ms, liveness {})",
                management_address, heartbeat_interval.count(), heartbeat_liveness);
            link = Link::registered;
            send_heartbeat();
        }
    } else if (const auto* refused = std::get_if<protocol::RegisterRefused>(&message)) {
        spdlog::error("the control plane at {} refused registration: {}", management_address,
                      refused->reason);
        {
            std::lock_guard<std::mutex> lock(refusal_mutex);
            refusal_reason = refused->reason;
        }
        exit_reason = SubworkerExit::registration_refused;
        begin_stop(/*should_deregister=*/false);
    } else if (std::holds_alternative<protocol::Reregister>(message)) {
        if (drain) return;  // leaving anyway
        spdlog::info("the control plane at {} asks this subworker to register again",
                     management_address);
        start_registering(/*is_reconnect=*/false);
    } else if (!std::holds_alternative<protocol::Heartbeat>(message)) {
        spdlog::debug("ignored a {} from the control plane", protocol::message_type_name(message));
    }
}

void Subworker::Impl::run() {
    enum Item { kManagement = kPriorityCount, kCompletions, kAnswers, kStop, kItemCount };
    std::vector<zmq::pollitem_t> items(kItemCount);
    std::vector<bool> unannounced(kItemCount, false);  // InputPoller::wait's flags
    InputPoller poller;
    for (int port = 0; port < kPriorityCount; ++port) {
        items[port] = {task_ports[port].handle(), 0, ZMQ_POLLIN, 0};
    }
    items[kCompletions] = {nullptr, completions.wakeup_fd(), ZMQ_POLLIN, 0};
    // Outcomes of tasks handed straight to an idle task process, read here
    // (ExecutionEngine::enable_owner_answers); none in thread isolation.
    items[kAnswers] = {nullptr, answers_fd, static_cast<short>(answers_fd >= 0 ? ZMQ_POLLIN : 0),
                       0};
    items[kStop] = {nullptr, role_thread.stop_fd(), ZMQ_POLLIN, 0};

    start_registering(/*is_reconnect=*/false);
    while (true) {
        // The DEALER may have been replaced since the last turn.
        // Without a DEALER the item asks for nothing: a null socket would
        // otherwise stand for file descriptor 0.
        items[kManagement] = {
            management ? management->handle() : nullptr, 0,
            static_cast<short>(management ? ZMQ_POLLIN | (is_register_unsent ? ZMQ_POLLOUT : 0)
                                          : 0),
            0};
        auto deadline =
            drain ? SteadyClock::now() + EngineDrain::kPollInterval : next_link_deadline();
        auto timeout = std::chrono::duration_cast<Milliseconds>(deadline - SteadyClock::now());
        // The task ports as used since they last reported no input; the
        // management DEALER carries heartbeats and replies, so it is asked
        // every wait (InputPoller).
        for (int port = 0; port < kPriorityCount; ++port)
            unannounced[port] = task_ports[port].take_unannounced_input();
        unannounced[kManagement] = true;
        poller.wait(items, unannounced, std::max(timeout, Milliseconds(0)));

        if (items[kStop].revents & ZMQ_POLLIN) {
            role_thread.acknowledge_stop();
            if (!drain) begin_stop(/*should_deregister=*/true);
        }
        if (items[kManagement].revents & ZMQ_POLLIN) receive_management();
        if ((items[kManagement].revents & ZMQ_POLLOUT) && is_register_unsent && !drain) {
            send_register();
        }
        for (int port = 0; port < kPriorityCount; ++port) {
            if (items[port].revents & ZMQ_POLLIN) receive_task_messages(port);
        }
        if (items[kAnswers].revents & ZMQ_POLLIN) engine->collect_answers();
        if (items[kCompletions].revents & ZMQ_POLLIN || items[kAnswers].revents & ZMQ_POLLIN) {
            collect_completions();
        }

        if (drain) {
            // Keep heartbeating while running tasks finish: the control plane
            // must not mistake a draining subworker for a dead one and run
            // its tasks a second time elsewhere.
            if (link == Link::registered && SteadyClock::now() >= next_heartbeat_at) {
                send_heartbeat();
            }
            const auto step = drain->advance();
            if (step == EngineDrain::Step::abandoned) break;
            if (step == EngineDrain::Step::finished && SteadyClock::now() >= settle_until) {
                collect_completions();
                break;
            }
            continue;
        }
        dispatch_queued_tasks();
        const auto now = SteadyClock::now();
        if (link == Link::registering && now >= register_retry_at) {
            spdlog::debug("no answer from the control plane at {}; retrying registration",
                          management_address);
            warn_if_unanswered(now);
            attempt_registration(/*is_reconnect=*/true);
        } else if (link == Link::registered) {
            check_control_plane_liveness();
            if (link == Link::registered && now >= next_heartbeat_at) send_heartbeat();
        }
    }
    if (management) management->set(zmq::sockopt::linger, kManagementCloseLingerMs);
}

void Subworker::Impl::begin_stop(bool should_deregister) {
    drain.emplace(*engine, settings.engine.shutdown_grace_seconds);
    settle_until = SteadyClock::now() + kDeregisterSettle;
    if (should_deregister) send_management(protocol::Deregister{settings.worker_id});
    refuse_queued_tasks();
    spdlog::info("stopping: {} task(s) running, grace {} s", engine->running(),
                 settings.engine.shutdown_grace_seconds);
}

void Subworker::Impl::receive_task_messages(int port) {
    auto& socket = task_ports[port];
    for (int i = 0; i < kReceiveBatch; ++i) {
        auto envelope = socket.receive();
        if (!envelope) break;
        auto decoded = protocol::decode(envelope->body);
        if (decoded.message) {
            if (const auto* cancel = std::get_if<protocol::Cancel>(&*decoded.message)) {
                cancel_task(port, envelope->routing_id, *cancel);
                continue;
            }
        }
        auto* submit = decoded.message ? std::get_if<protocol::Submit>(&*decoded.message) : nullptr;
        if (submit == nullptr) {
            const std::string reason =
                decoded.message ? "only SUBMIT and CANCEL are accepted on a subworker's task port"
                                : decoded.error;
            rejections.record(describe_sender(envelope->routing_id, envelope->body.front()),
                              socket.address(), reason);
            socket.send(envelope->routing_id,
                        protocol::encode(protocol::Error{decoded.task_id, reason}));
        } else if (drain) {
            refuse_submission(port, envelope->routing_id, *submit);
        } else {
            accept_submission(port, envelope->routing_id, std::move(*submit));
        }
    }
}

void Subworker::Impl::accept_submission(int port, zmq::message_t& routing_id,
                                        protocol::Submit&& submit) {
    if (acknowledge_if_held(port, routing_id, submit.task_id)) return;
    auto& socket = task_ports[port];
    const std::string task_id = submit.task_id;
    HeldTask task;
    task.record.task_id = submit.task_id;
    task.record.task_name = std::move(submit.task_name);
    task.record.priority = static_cast<Priority>(port);
    task.record.state = TaskState::queued;
    task.record.worker_id = settings.worker_id;
    task.record.submitted_at = Clock::now();
    task.payload = std::move(submit.payload);
    task.timeout = Milliseconds(submit.options.timeout_ms);
    task.fallback_timeout = Milliseconds(submit.options.default_timeout_ms);
    task.port = port;
    task.routing_id.copy(routing_id);
    held.emplace(task_id, std::move(task));
    socket.send(routing_id, protocol::encode(protocol::Ack{task_id}));
    // An unknown task is queued like any other: the engine fails it as
    // "unknown task 'NAME'".
    queue.push(static_cast<Priority>(port), task_id);
}

void Subworker::Impl::cancel_task(int port, zmq::message_t& routing_id,
                                  const protocol::Cancel& cancel) {
    // The control plane forwards a client's CANCEL for a task running here.
    auto outcome = protocol::CancelOutcome::not_found;
    auto it = held.find(cancel.task_id);
    const bool is_waiting =
        it != held.end() && (it->second.record.state == TaskState::queued ||
                             engine->withdraw_waiting(cancel.task_id).has_value());
    if (is_waiting) {
        // Its id, if left in the queue, is skipped.
        mark_unstarted(it->second.record);
        finish_task(cancelled_outcome(cancel.task_id, kCancelledBeforeStart));
        outcome = protocol::CancelOutcome::cancelled;
    } else if (it != held.end() && engine->cancel(cancel.task_id)) {
        outcome = protocol::CancelOutcome::cancelling;
    }
    task_ports[port].send(routing_id,
                          protocol::encode(protocol::CancelReply{cancel.task_id, outcome}));
}

void Subworker::Impl::refuse_submission(int port, zmq::message_t& routing_id,
                                        const protocol::Submit& submit) {
    // A task running here is acknowledged: its result will still be sent.
    if (acknowledge_if_held(port, routing_id, submit.task_id)) return;
    task_ports[port].send(routing_id,
                          protocol::encode(protocol::Refused{submit.task_id, kShuttingDown}));
}

bool Subworker::Impl::acknowledge_if_held(int port, zmq::message_t& routing_id,
                                          const std::string& task_id) {
    // A resent submission never runs twice; its result goes to the latest
    // sender (the control plane may have reconnected).
    auto it = held.find(task_id);
    if (it == held.end()) return false;
    it->second.port = port;
    it->second.routing_id.copy(routing_id);
    task_ports[port].send(routing_id, protocol::encode(protocol::Ack{task_id}));
    return true;
}

void Subworker::Impl::refuse_queued_tasks() {
    // They have not started either.
    requeue_all_unstarted(*engine, *this);
    while (auto task_id = queue.pop()) {
        auto it = held.find(*task_id);
        if (it == held.end() || it->second.record.state != TaskState::queued) continue;
        task_ports[it->second.port].send(
            it->second.routing_id, protocol::encode(protocol::Refused{*task_id, kShuttingDown}));
        held.erase(it);
    }
}

void Subworker::Impl::dispatch_queued_tasks() {
    // The handler threads are woken once, when this turn's tasks have started.
    std::optional<ExecutionEngine::StartBatch> batch;
    while (auto task_id = queue.pop()) {
        auto it = held.find(*task_id);
        if (it == held.end() || it->second.record.state != TaskState::queued) continue;
        TaskRecord& record = it->second.record;
        if (engine->free_slots() == 0 && !reclaim_slot_for(record.priority, *engine, *this)) {
            queue.push_front(record.priority, std::move(*task_id));
            return;
        }
        if (!batch) batch.emplace(*engine);
        record.state = TaskState::running;
        record.attempts = 1;
        record.started_at = Clock::now();
        engine->start(TaskAssignment{record.task_id, record.task_name,
                                     std::move(it->second.payload), it->second.timeout,
                                     it->second.fallback_timeout, record.priority});
    }
}

void Subworker::Impl::requeue_unstarted(TaskAssignment&& unstarted) {
    auto it = held.find(unstarted.task_id);
    if (it == held.end()) return;
    HeldTask& task = it->second;
    mark_unstarted(task.record);
    task.payload = std::move(unstarted.payload);
    queue.push_front(task.record.priority, std::move(unstarted.task_id));
}

void Subworker::Impl::collect_completions() {
    std::vector<TaskOutcome> outcomes;
    completions.take_all(outcomes);
    for (auto& outcome : outcomes) finish_task(std::move(outcome));
}

void Subworker::Impl::finish_task(TaskOutcome&& outcome) {
    auto it = held.find(outcome.task_id);
    if (it == held.end()) {
        spdlog::debug("outcome for task {} that is no longer held; ignored", outcome.task_id);
        return;
    }
    HeldTask& task = it->second;
    TaskRecord& record = task.record;
    apply_outcome(record, std::move(outcome));
    // The record goes whole into the RESULT (no copy of the result bytes).
    if (!task_ports[task.port].send(task.routing_id,
                                    protocol::encode(protocol::Result{std::move(record)}))) {
        spdlog::warn("result of task {} could not be sent: the control plane's connection is gone",
                     it->first);
    }
    held.erase(it);
}

Subworker::Subworker(const SubworkerSettings& settings, const TaskRegistry& registry)
    : impl_(std::make_unique<Impl>(settings, registry)) {
    impl_->resolve_management_address();
    impl_->read_curve_keys();
    impl_->bind_ports();
    Impl* impl = impl_.get();
    // The prefetched tasks wait inside the engine, so a handler thread goes
    // from one to the next without waiting for the I/O thread.
    // Its I/O thread reads what task processes answer (answers_fd).
    auto isolation = config::isolation_options(settings.engine, settings.max_payload_bytes);
    isolation.owner_reads_answers = true;
    impl_->engine = std::make_unique<ExecutionEngine>(
        registry, settings.engine.concurrency,
        [impl](TaskOutcome&& outcome) {
            fail_oversized_result(outcome, impl->settings.max_payload_bytes);
            impl->completions.post(std::move(outcome));
        },
        settings.prefetch, std::move(isolation));
    impl_->answers_fd = impl_->engine->answers_fd();
    // Registered capacity should be real: a task sent to a slot whose task
    // process is still loading its plugins would wait (and, if the
    // subworker stopped meanwhile, go back unstarted).
    if (!impl_->engine->wait_until_ready(kExecutorsReadyWait)) {
        spdlog::warn(
            "not every task process is ready after {} s; registering anyway (tasks wait for them)",
            std::chrono::duration_cast<std::chrono::seconds>(kExecutorsReadyWait).count());
    }
    impl_->role_thread.start(
        "subworker", [impl] { impl->run(); },
        [impl] {
            impl->management.reset();
            impl->has_abandoned_handlers = EngineDrain::abandon_if_running(impl->engine);
            auto expected = SubworkerExit::running;
            impl->exit_reason.compare_exchange_strong(expected, SubworkerExit::stopped);
        });
    spdlog::info(
        "subworker '{}' serving on {} (task ports +0..3), {} handler thread(s); "
        "registering with the control plane at {}",
        settings.worker_id, settings.base_address, impl_->engine->concurrency(),
        impl_->management_address);
}

Subworker::~Subworker() {
    request_stop();
    wait();
}

void Subworker::request_stop() { impl_->role_thread.request_stop(); }

void Subworker::wait() { impl_->role_thread.join(); }

bool Subworker::is_stopped() const { return impl_->role_thread.is_finished(); }

SubworkerExit Subworker::exit_reason() const { return impl_->exit_reason; }

std::string Subworker::refusal_reason() const {
    std::lock_guard<std::mutex> lock(impl_->refusal_mutex);
    return impl_->refusal_reason;
}

bool Subworker::has_abandoned_handlers() const { return impl_->has_abandoned_handlers; }

SubworkerStats Subworker::stats() const { return SubworkerStats{impl_->rejections.count()}; }

}  // namespace fastqueue

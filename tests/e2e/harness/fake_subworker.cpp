// fake_subworker.cpp -- see fake_subworker.hpp.
#include "harness/fake_subworker.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "harness/free_ports.hpp"
#include "harness/wire_client.hpp"
#include "protocol/codec.hpp"
#include "transport/receive_frames.hpp"

namespace fastqueue::e2e {
namespace {

constexpr int kMaxBindAttempts = 3;
constexpr int kCapacity = 4;
// Bounds one read_once() wait so heartbeats stay on time.
constexpr std::chrono::milliseconds kReadSlice{20};

std::string to_string(const zmq::message_t& frame) {
    return std::string(static_cast<const char*>(frame.data()), frame.size());
}

}  // namespace

FakeSubworker::FakeSubworker(const ControlPlaneProcess& control_plane, std::string worker_id,
                             std::vector<std::string> task_names,
                             std::chrono::milliseconds heartbeat_interval)
    : worker_id_(std::move(worker_id)),
      task_names_(std::move(task_names)),
      heartbeat_interval_(heartbeat_interval),
      management_(context_, zmq::socket_type::dealer) {
    bind_task_ports();
    management_.set(zmq::sockopt::linger, 0);
    // ControlPlaneProcess puts the management port on base+5.
    management_.connect(loopback_address(control_plane.base_port() + 5));
}

void FakeSubworker::bind_task_ports() {
    for (int attempt = 1; attempt <= kMaxBindAttempts; ++attempt) {
        const int base = find_free_port_block(kPortCount);
        task_ports_.clear();
        try {
            for (int priority = 0; priority < kPortCount; ++priority) {
                zmq::socket_t socket(context_, zmq::socket_type::router);
                socket.set(zmq::sockopt::linger, 0);
                socket.bind(loopback_address(base + priority));
                task_ports_.push_back(std::move(socket));
            }
            address_ = loopback_address(base);
            return;
        } catch (const zmq::error_t&) {
            // Taken since it was found free: try another range.
        }
    }
    throw std::runtime_error("fake subworker: could not bind four task ports");
}

void FakeSubworker::send_management(const std::vector<std::string>& frames) {
    send_raw_frames(management_, frames);
}

bool FakeSubworker::register_with_control_plane(std::chrono::milliseconds timeout) {
    send_management({std::string(protocol::kProtocolId), "REGISTER", worker_id_, address_,
                     std::to_string(kCapacity), "0", nlohmann::json(task_names_).dump()});
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string type = read_once(kReadSlice);
        if (type == "REGISTERED") {
            next_heartbeat_ = std::chrono::steady_clock::now();
            heartbeat_if_due();
            return true;
        }
        if (type == "REGISTER_REFUSED" || type == "ERROR") return false;
    }
    return false;
}

std::optional<DispatchedTask> FakeSubworker::receive_submit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (submits_.empty() && std::chrono::steady_clock::now() < deadline) {
        heartbeat_if_due();
        read_once(kReadSlice);
    }
    if (submits_.empty()) return std::nullopt;
    DispatchedTask task = std::move(submits_.front());
    submits_.pop_front();
    return task;
}

void FakeSubworker::pump(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < deadline) {
        heartbeat_if_due();
        read_once(kReadSlice);
    }
}

void FakeSubworker::reply(const DispatchedTask& task, const std::vector<std::string>& frames) {
    auto& socket = task_ports_.at(static_cast<std::size_t>(task.priority));
    socket.send(zmq::buffer(task.routing_id), zmq::send_flags::sndmore);
    send_raw_frames(socket, frames);
}

void FakeSubworker::heartbeat_if_due() {
    if (next_heartbeat_ == std::chrono::steady_clock::time_point{}) return;  // not registered
    const auto now = std::chrono::steady_clock::now();
    if (now < next_heartbeat_) return;
    send_management({std::string(protocol::kProtocolId), "HEARTBEAT", worker_id_, "0"});
    next_heartbeat_ = now + heartbeat_interval_;
}

std::string FakeSubworker::read_once(std::chrono::milliseconds timeout) {
    std::vector<zmq::pollitem_t> items;
    for (auto& socket : task_ports_) items.push_back({socket.handle(), 0, ZMQ_POLLIN, 0});
    items.push_back({management_.handle(), 0, ZMQ_POLLIN, 0});
    zmq::poll(items.data(), items.size(), timeout);

    std::string management_type;
    if (items.back().revents & ZMQ_POLLIN) {
        auto frames = receive_frames(management_, protocol::kMaxBodyFrames);
        if (frames && frames->size() >= 2) management_type = to_string((*frames)[1]);
    }
    for (int priority = 0; priority < kPortCount; ++priority) {
        if (!(items[static_cast<std::size_t>(priority)].revents & ZMQ_POLLIN)) continue;
        auto& socket = task_ports_[static_cast<std::size_t>(priority)];
        auto frames = receive_frames(socket, protocol::kMaxBodyFrames + 1);
        if (!frames || frames->size() < 2) continue;
        DispatchedTask task;
        task.priority = priority;
        task.routing_id = to_string((*frames)[0]);
        protocol::Frames body;
        for (std::size_t i = 1; i < frames->size(); ++i) body.push_back(std::move((*frames)[i]));
        auto decoded = protocol::decode(body);
        if (!decoded.message) continue;
        if (auto* submit = std::get_if<protocol::Submit>(&*decoded.message)) {
            task.task_id = submit->task_id;
            task.task_name = submit->task_name;
            submits_.push_back(std::move(task));
        }
    }
    return management_type;
}

std::vector<std::string> result_frames(const std::string& task_id, const std::string& task_name,
                                       TaskState state, const std::string& result,
                                       const std::string& worker_id) {
    TaskRecord record;
    record.task_id = task_id;
    record.task_name = task_name;
    record.state = state;
    record.result = result;
    record.attempts = 1;
    record.worker_id = worker_id;
    record.submitted_at = Clock::now();
    record.started_at = record.submitted_at;
    record.finished_at = record.submitted_at;
    std::vector<std::string> frames;
    for (const auto& frame : protocol::encode(protocol::Result{std::move(record)})) {
        frames.push_back(to_string(frame));
    }
    return frames;
}

}  // namespace fastqueue::e2e

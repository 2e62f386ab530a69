// subworker_fleet.cpp -- see subworker_fleet.hpp.
#include "control_plane/subworker_fleet.hpp"

#include <algorithm>

#include "common/endpoint.hpp"
#include "transport/curve_socket.hpp"
#include "transport/frame_limits.hpp"
#include "transport/receive_frames.hpp"

namespace fastqueue {
namespace {

constexpr int kLinkHighWaterMark = 100000;
// A link's pipe holds more SUBMITs than a subworker may ever have in flight,
// so a dispatch finds it full only behind a subworker that stopped reading
// while CANCELs piled up; the task then goes back to the head of its queue.
static_assert(kLinkHighWaterMark > protocol::kMaxCapacity + protocol::kMaxPrefetch);

bool send_frames(zmq::socket_t& link, protocol::Frames& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto flags = i + 1 < frames.size()
                               ? zmq::send_flags::sndmore | zmq::send_flags::dontwait
                               : zmq::send_flags::dontwait;
        // Only the first frame can fail (a full pipe): nothing was sent.
        if (!link.send(frames[i], flags)) return false;
    }
    return true;
}

}  // namespace

SubworkerFleet::SubworkerFleet(zmq::context_t& context, std::size_t max_payload_bytes)
    : context_(context), max_payload_bytes_(max_payload_bytes) {}

bool SubworkerFleet::send(const SubworkerEntry& subworker, int priority, protocol::Frames& frames) {
    auto& link = links_[subworker.worker_id][priority];
    if (!link) {
        std::string error;
        auto base = parse_endpoint(subworker.address, &error);
        if (!base) return false;  // validated at registration; never happens
        link = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
        link->set(zmq::sockopt::linger, 0);
        link->set(zmq::sockopt::sndhwm, kLinkHighWaterMark);
        link->set(zmq::sockopt::rcvhwm, kLinkHighWaterMark);
        // Its RESULTs carry up to its own limit, which is at least ours.
        link->set(zmq::sockopt::maxmsgsize, result_link_frame_bytes(std::max(
                                                max_payload_bytes_, subworker.max_payload_bytes)));
        if (!subworker.curve_key.empty() && curve_keys_) {
            make_curve_client(*link, CurveClientOptions{*curve_keys_, subworker.curve_key});
        }
        link->connect(base->with_port_offset(priority).to_string());
        are_links_changed_ = true;
    }
    return send_frames(*link, frames);
}

bool SubworkerFleet::send_if_open(const std::string& worker_id, int priority,
                                  protocol::Frames& frames) {
    auto links_it = links_.find(worker_id);
    if (links_it == links_.end() || !links_it->second[priority]) return false;
    return send_frames(*links_it->second[priority], frames);
}

std::optional<protocol::Frames> SubworkerFleet::receive(const std::string& worker_id,
                                                        int priority) {
    if (are_links_changed_) return std::nullopt;
    auto links_it = links_.find(worker_id);
    if (links_it == links_.end() || !links_it->second[priority]) return std::nullopt;
    return receive_frames(*links_it->second[priority], protocol::kMaxBodyFrames);
}

void SubworkerFleet::close_links(const std::string& worker_id) {
    if (links_.erase(worker_id) > 0) are_links_changed_ = true;
}

void SubworkerFleet::update_items(std::vector<zmq::pollitem_t>& items, std::size_t fixed_count,
                                  bool is_polling_idle) {
    if (!are_links_changed_ && !is_polling_idle && !were_idle_links_polled_ &&
        pool_.holding_changes() == collected_holding_changes_) {
        return;
    }
    items.resize(fixed_count);
    link_items_.clear();
    bool has_left_out = false;
    for (auto& [worker_id, worker_links] : links_) {
        if (!is_polling_idle) {
            const SubworkerEntry* subworker = pool_.find(worker_id);
            if (subworker == nullptr || subworker->in_flight == 0) {
                has_left_out = true;
                continue;
            }
        }
        for (int priority = 0; priority < kPriorityCount; ++priority) {
            if (!worker_links[priority]) continue;
            items.push_back({worker_links[priority]->handle(), 0, ZMQ_POLLIN, 0});
            link_items_.emplace_back(worker_id, priority);
        }
    }
    has_idle_links_ = has_left_out;
    were_idle_links_polled_ = is_polling_idle;
    collected_holding_changes_ = pool_.holding_changes();
    are_links_changed_ = false;
}

}  // namespace fastqueue

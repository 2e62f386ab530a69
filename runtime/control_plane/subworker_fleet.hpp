// subworker_fleet.hpp -- the control plane's subworkers as its I/O loop
// sees them: the pool (who is registered, what each runs, where a task goes,
// subworker_pool.hpp), the DEALER links to each subworker's priority ports,
// and the poll items of those links.
//
// A link is opened on first use (a task sent at that priority) and closed
// when its subworker is lost or forgotten, so that anything a lost
// subworker still sends is discarded. The link of a subworker that holds a
// task is polled every turn; the others every kIdleLinkPollInterval (see
// there).
//
// Not thread-safe: it belongs to the control plane's I/O thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "control_plane/subworker_pool.hpp"
#include "fastqueue/task.hpp"
#include "protocol/codec.hpp"
#include "transport/curve_certificate.hpp"

namespace fastqueue {

class SubworkerFleet {
public:
    // How often the links of subworkers that hold no task are polled. Every
    // reply on a link answers a task sent on it, so nothing is expected
    // there; polling every link every turn made each turn cost O(fleet)
    // (each polled link is asked for its state at every wait, see
    // InputPoller): with 8 tasks in flight over 64 subworkers, a third of
    // the control plane's CPU. Late or unasked-for messages on an idle link
    // are still read, and counted when bad, within this interval.
    static constexpr auto kIdleLinkPollInterval = std::chrono::milliseconds(100);

    // max_payload_bytes: the control plane's --max-payload-bytes.
    SubworkerFleet(zmq::context_t& context, std::size_t max_payload_bytes);

    // With CURVE: the control plane's own key pair, the client keys of the
    // links to subworkers that registered with a CURVE key
    // (SubworkerEntry::curve_key). Call before the first link opens.
    void use_curve_keys(const CurveKeyPair& keys) { curve_keys_ = keys; }

    SubworkerPool& pool() { return pool_; }
    const SubworkerPool& pool() const { return pool_; }

    // Sends a message on the link to the subworker at this priority,
    // opening the link on first use. False when nothing was sent (its pipe
    // is full); only the first frame can fail, so a message is never cut.
    bool send(const SubworkerEntry& subworker, int priority, protocol::Frames& frames);
    // The same on a link already open; false when there is none.
    bool send_if_open(const std::string& worker_id, int priority, protocol::Frames& frames);
    // One message from the link, or nullopt when it has none waiting, is
    // closed, or the links changed this turn.
    std::optional<protocol::Frames> receive(const std::string& worker_id, int priority);
    // Closes the subworker's links (their poll items go at the next turn).
    void close_links(const std::string& worker_id);

    // A link opened or closed since the items were last collected: this
    // turn's link items are stale and must not be read.
    bool are_links_changed() const { return are_links_changed_; }

    // Puts this turn's link items after the first fixed_count items: every
    // link when is_polling_idle, else only the links of subworkers holding a
    // task. Collects them again only when something they depend on changed,
    // so that a turn costs no work per link.
    void update_items(std::vector<zmq::pollitem_t>& items, std::size_t fixed_count,
                      bool is_polling_idle);
    // True when update_items left some idle link out: the idle-link poll's
    // deadline then bounds the loop's wait.
    bool has_idle_links() const { return has_idle_links_; }
    // Calls on_input(worker_id, priority) for each link item with input, in
    // order, until a link opens or closes (a lost subworker).
    template <typename OnInput>
    void for_each_ready(const std::vector<zmq::pollitem_t>& items, std::size_t fixed_count,
                        OnInput&& on_input);

private:
    // The DEALER sockets to one subworker's priority ports.
    using Links = std::array<std::unique_ptr<zmq::socket_t>, kPriorityCount>;

    zmq::context_t& context_;
    const std::size_t max_payload_bytes_;
    std::optional<CurveKeyPair> curve_keys_;
    SubworkerPool pool_;
    std::map<std::string, Links> links_;  // by worker id
    bool are_links_changed_ = true;
    // (worker id, priority) of each link item, in the same order.
    std::vector<std::pair<std::string, int>> link_items_;
    // What the link items were last collected for.
    bool were_idle_links_polled_ = false;
    std::uint64_t collected_holding_changes_ = 0;
    bool has_idle_links_ = false;
};

template <typename OnInput>
void SubworkerFleet::for_each_ready(const std::vector<zmq::pollitem_t>& items,
                                    std::size_t fixed_count, OnInput&& on_input) {
    for (std::size_t i = fixed_count; i < items.size() && !are_links_changed_; ++i) {
        if (items[i].revents & ZMQ_POLLIN) {
            const auto& [worker_id, priority] = link_items_[i - fixed_count];
            on_input(worker_id, priority);
        }
    }
}

}  // namespace fastqueue

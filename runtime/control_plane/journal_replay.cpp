// journal_replay.cpp -- see journal_replay.hpp.
#include "control_plane/journal_replay.hpp"

#include <algorithm>

namespace fastqueue {
namespace {

// Keeps the newer of `held` and `candidate` (by sequence) in `held`; the
// other one's location goes to `dead`.
template <typename Replayed, typename Sequence>
void keep_newer(std::optional<Replayed>& held, Replayed&& candidate, Sequence sequence_of,
                std::vector<JournalLocation>& dead) {
    if (held && sequence_of(*held) > sequence_of(candidate)) {
        dead.push_back(candidate.at);
        return;
    }
    if (held) dead.push_back(held->at);
    held = std::move(candidate);
}

std::uint64_t accepted_sequence(const ReplayedAccepted& accepted) {
    return accepted.record.head.sequence;
}
std::uint64_t final_sequence(const ReplayedFinal& final_record) {
    return final_record.record.head.sequence;
}
std::uint64_t state_sequence(const ReplayedState& state) { return state.sequence(); }

}  // namespace

std::uint64_t ReplayedState::sequence() const {
    return std::visit([](const auto& held) { return held.head.sequence; }, record);
}

void JournalReplay::add(std::string_view body, JournalLocation at) {
    DecodedRecord decoded = decode_record(body);
    if (!decoded.record) {
        if (undecodable_++ == 0) {
            first_error_ = "segment " + std::to_string(at.segment) + " byte " +
                           std::to_string(at.offset) + ": " + decoded.error;
        }
        dead_.push_back(at);
        return;
    }
    const RecordHead head = head_of(*decoded.record);
    max_sequence_ = std::max(max_sequence_, head.sequence);
    RecoveredTask& task = tasks_[head.task_id];
    task.id = head.task_id;
    std::visit(
        [&](auto&& record) {
            using Record = std::decay_t<decltype(record)>;
            if constexpr (std::is_same_v<Record, AcceptedRecord>) {
                std::string payload(record.payload);
                record.payload = {};  // it viewed the replayed body: use `payload`
                ReplayedAccepted accepted{std::move(record), std::move(payload), at};
                task.accepted_segment = task.accepted_segment == 0
                                            ? at.segment
                                            : std::min(task.accepted_segment, at.segment);
                keep_newer(task.accepted, std::move(accepted), accepted_sequence, dead_);
            } else if constexpr (std::is_same_v<Record, FinalRecord>) {
                std::string result(record.result);
                record.result = {};  // it viewed the replayed body: use `result`
                ReplayedFinal final_record{std::move(record), std::move(result), at};
                keep_newer(task.final_record, std::move(final_record), final_sequence, dead_);
            } else if constexpr (std::is_same_v<Record, ForgottenRecord>) {
                // Not written by this version; it marks nothing live.
                dead_.push_back(at);
            } else {
                keep_newer(task.state, ReplayedState{std::move(record), at}, state_sequence, dead_);
            }
        },
        std::move(*decoded.record));
}

JournalReplay::Result JournalReplay::finish() {
    Result result;
    result.dead = std::move(dead_);
    result.next_sequence = max_sequence_ + 1;
    result.undecodable = undecodable_;
    result.first_error = std::move(first_error_);
    for (auto& [id, task] : tasks_) {
        const std::uint64_t accepted_at = task.accepted ? accepted_sequence(*task.accepted) : 0;
        if (task.final_record &&
            (!task.accepted || final_sequence(*task.final_record) > accepted_at)) {
            if (task.accepted) result.dead.push_back(task.accepted->at);
            if (task.state) result.dead.push_back(task.state->at);
            task.accepted.reset();
            task.state.reset();
            if (task.accepted_segment == 0) task.accepted_segment = task.final_record->at.segment;
            result.finished.push_back(std::move(task));
            continue;
        }
        if (task.final_record) result.dead.push_back(task.final_record->at);
        task.final_record.reset();
        if (task.state && (!task.accepted || task.state->sequence() < accepted_at)) {
            result.dead.push_back(task.state->at);
            task.state.reset();
        }
        if (task.accepted) result.live.push_back(std::move(task));
    }
    tasks_.clear();
    std::sort(result.live.begin(), result.live.end(),
              [](const RecoveredTask& a, const RecoveredTask& b) {
                  return accepted_sequence(*a.accepted) < accepted_sequence(*b.accepted);
              });
    std::sort(result.finished.begin(), result.finished.end(),
              [](const RecoveredTask& a, const RecoveredTask& b) {
                  return final_sequence(*a.final_record) < final_sequence(*b.final_record);
              });
    return result;
}

}  // namespace fastqueue

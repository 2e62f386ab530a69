// result_reconciliation.cpp -- see result_reconciliation.hpp.
#include "control_plane/result_reconciliation.hpp"

namespace fastqueue {

void note_acknowledged(SubworkerEntry& entry, const std::string& task_id) {
    auto it = entry.assigned_tasks.find(task_id);
    if (it == entry.assigned_tasks.end()) return;
    it->second.acknowledged_at = entry.heartbeats_received;
}

void note_resent(SubworkerEntry& entry, const std::string& task_id) {
    auto it = entry.assigned_tasks.find(task_id);
    if (it == entry.assigned_tasks.end()) return;
    it->second.acknowledged_at = kNotAcknowledged;
    it->second.resends += 1;
}

LoadReconciliation reconcile_load(SubworkerEntry& entry, std::uint32_t reported_load) {
    // Settled: acknowledged before the previous heartbeat arrived, that is
    // while heartbeats_received was below its value now.
    const std::uint64_t previous_heartbeats = entry.heartbeats_received;
    entry.heartbeats_received += 1;
    std::size_t settled = 0;
    for (const auto& [task_id, assigned] : entry.assigned_tasks) {
        if (assigned.acknowledged_at < previous_heartbeats) ++settled;
    }
    LoadReconciliation actions;
    if (reported_load >= settled) {
        // Every settled task is accounted for; one sent again counts as
        // found only once it is settled again.
        entry.shortfall_heartbeats = 0;
        for (auto& [task_id, assigned] : entry.assigned_tasks) {
            if (assigned.acknowledged_at < previous_heartbeats) assigned.resends = 0;
        }
        return actions;
    }
    entry.shortfall_heartbeats += 1;
    if (entry.shortfall_heartbeats < kShortfallHeartbeats) return actions;
    entry.shortfall_heartbeats = 0;
    for (const auto& [task_id, assigned] : entry.assigned_tasks) {
        if (assigned.acknowledged_at >= previous_heartbeats) continue;
        (assigned.resends >= kMaxResends ? actions.lost : actions.resend).push_back(task_id);
    }
    return actions;
}

}  // namespace fastqueue

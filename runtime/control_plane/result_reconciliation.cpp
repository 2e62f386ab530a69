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
    it->second.sent_at = entry.heartbeats_received;
}

LoadReconciliation reconcile_load(SubworkerEntry& entry, std::uint32_t reported_load) {
    // Settled: acknowledged before the previous heartbeat arrived, that is
    // while heartbeats_received was below its value now. Overdue: sent
    // kShortfallHeartbeats heartbeats ago or more and still not
    // acknowledged, although a subworker answers a SUBMIT when it reads it.
    const std::uint64_t previous_heartbeats = entry.heartbeats_received;
    entry.heartbeats_received += 1;
    const auto is_settled = [&](const AssignedTask& assigned) {
        return assigned.acknowledged_at < previous_heartbeats;
    };
    const auto is_overdue = [&](const AssignedTask& assigned) {
        return assigned.acknowledged_at == kNotAcknowledged &&
               previous_heartbeats - assigned.sent_at >= kShortfallHeartbeats;
    };
    std::size_t settled = 0;
    for (const auto& [task_id, assigned] : entry.assigned_tasks) {
        if (is_settled(assigned)) ++settled;
    }
    bool is_shortfall_lasting = false;
    if (reported_load >= settled) {
        // Every settled task is accounted for; one sent again counts as
        // found only once it is settled again.
        entry.shortfall_heartbeats = 0;
        for (auto& [task_id, assigned] : entry.assigned_tasks) {
            if (is_settled(assigned)) assigned.resends = 0;
        }
    } else if (++entry.shortfall_heartbeats >= kShortfallHeartbeats) {
        entry.shortfall_heartbeats = 0;
        is_shortfall_lasting = true;
    }
    LoadReconciliation actions;
    for (const auto& [task_id, assigned] : entry.assigned_tasks) {
        if (!is_overdue(assigned) && !(is_shortfall_lasting && is_settled(assigned))) continue;
        (assigned.resends >= kMaxResends ? actions.lost : actions.resend).push_back(task_id);
    }
    return actions;
}

}  // namespace fastqueue

// result_reconciliation_test.cpp -- what a subworker's heartbeat load makes
// the control plane do about tasks whose RESULT may have been lost: nothing
// while the load accounts for every settled task or a RESULT may be on its
// way, a resend once the shortfall lasts, and a loss after kMaxResends.
#include "control_plane/result_reconciliation.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace fastqueue;

namespace {

// A subworker entry holding `task_ids`, each acknowledged now.
SubworkerEntry holding(const std::vector<std::string>& task_ids) {
    SubworkerEntry entry;
    entry.worker_id = "sw1";
    for (const auto& task_id : task_ids) {
        entry.assigned_tasks.emplace(task_id, AssignedTask{});
        note_acknowledged(entry, task_id);
    }
    return entry;
}

std::vector<std::string> sorted(std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace

TEST_CASE("reconcile_load: a load that counts every settled task asks for nothing") {
    auto entry = holding({"a", "b"});
    for (int i = 0; i < 5; ++i) {
        const auto actions = reconcile_load(entry, 2);
        CHECK(actions.resend.empty());
        CHECK(actions.lost.empty());
    }
}

TEST_CASE("reconcile_load: a task acknowledged after the previous heartbeat is not yet expected") {
    auto entry = holding({});
    reconcile_load(entry, 0);
    entry.assigned_tasks.emplace("a", AssignedTask{});
    note_acknowledged(entry, "a");
    // Its ACK came after the last heartbeat: a load of 0 is no shortfall.
    CHECK(reconcile_load(entry, 0).resend.empty());
    CHECK(entry.shortfall_heartbeats == 0);
    // Now it is settled; a load of 0 is a shortfall.
    CHECK(reconcile_load(entry, 0).resend.empty());
    CHECK(entry.shortfall_heartbeats == 1);
}

TEST_CASE(
    "reconcile_load: one short heartbeat (a RESULT on its way) resends nothing; two in a row "
    "resend every settled task") {
    auto entry = holding({"a", "b"});
    reconcile_load(entry, 2);  // both settled from here on
    // Sent after the last heartbeat, not yet acknowledged.
    entry.assigned_tasks.emplace("fresh",
                                 AssignedTask{0, kNotAcknowledged, 0, entry.heartbeats_received});

    auto first = reconcile_load(entry, 1);
    CHECK(first.resend.empty());
    CHECK(first.lost.empty());
    auto second = reconcile_load(entry, 1);
    CHECK(sorted(second.resend) == std::vector<std::string>{"a", "b"});
    CHECK(second.lost.empty());
    CHECK(entry.shortfall_heartbeats == 0);
}

TEST_CASE("reconcile_load: a shortfall that ends before the second heartbeat resends nothing") {
    auto entry = holding({"a", "b"});
    reconcile_load(entry, 2);
    CHECK(reconcile_load(entry, 1).resend.empty());
    // The RESULT arrived: the task is no longer in flight there.
    entry.assigned_tasks.erase("b");
    CHECK(reconcile_load(entry, 1).resend.empty());
    CHECK(entry.shortfall_heartbeats == 0);
}

TEST_CASE(
    "reconcile_load: a task sent again kMaxResends times while the load never counts it is "
    "taken as lost") {
    auto entry = holding({"a"});
    reconcile_load(entry, 1);
    for (std::uint32_t round = 0; round < kMaxResends; ++round) {
        // A subworker that acknowledges every SUBMIT but never counts the task.
        CHECK(reconcile_load(entry, 0).resend.empty());
        const auto actions = reconcile_load(entry, 0);
        REQUIRE(actions.resend == std::vector<std::string>{"a"});
        note_resent(entry, "a");
        note_acknowledged(entry, "a");
        // The heartbeat after the new ACK does not expect it yet.
        CHECK(reconcile_load(entry, 0).resend.empty());
    }
    CHECK(reconcile_load(entry, 0).lost.empty());
    const auto actions = reconcile_load(entry, 0);
    CHECK(actions.resend.empty());
    CHECK(actions.lost == std::vector<std::string>{"a"});
}

TEST_CASE("reconcile_load: a task sent again and then counted starts its resends afresh") {
    auto entry = holding({"a"});
    reconcile_load(entry, 1);
    reconcile_load(entry, 0);
    REQUIRE(reconcile_load(entry, 0).resend.size() == 1);
    note_resent(entry, "a");
    CHECK(entry.assigned_tasks.at("a").resends == 1);
    note_acknowledged(entry, "a");
    reconcile_load(entry, 1);
    reconcile_load(entry, 1);  // settled again and counted
    CHECK(entry.assigned_tasks.at("a").resends == 0);
}

TEST_CASE("note_acknowledged and note_resent: a task not in flight there is ignored") {
    auto entry = holding({"a"});
    note_acknowledged(entry, "other");
    note_resent(entry, "other");
    CHECK(entry.assigned_tasks.size() == 1);
    CHECK(entry.assigned_tasks.at("a").resends == 0);
}

TEST_CASE(
    "reconcile_load: a SUBMIT not acknowledged 2 heartbeats after it went out is sent again, and "
    "taken as lost after kMaxResends") {
    SubworkerEntry entry;
    entry.assigned_tasks.emplace("a", AssignedTask{0, kNotAcknowledged, 0, 0});
    for (std::uint32_t round = 0; round < kMaxResends; ++round) {
        // Within 2 heartbeats of the SUBMIT an ACK may be on its way.
        CHECK(reconcile_load(entry, 0).resend.empty());
        CHECK(reconcile_load(entry, 0).resend.empty());
        const auto actions = reconcile_load(entry, 0);
        REQUIRE(actions.resend == std::vector<std::string>{"a"});
        note_resent(entry, "a");
    }
    CHECK(reconcile_load(entry, 0).lost.empty());
    CHECK(reconcile_load(entry, 0).lost.empty());
    const auto actions = reconcile_load(entry, 0);
    CHECK(actions.resend.empty());
    CHECK(actions.lost == std::vector<std::string>{"a"});
}

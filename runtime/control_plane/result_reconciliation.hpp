// result_reconciliation.hpp -- how the control plane makes sure that no
// task stays `running` on a subworker that no longer holds it.
//
// A RESULT travels on the control plane's DEALER link to one of the
// subworker's priority ports. When that TCP connection is reset while both
// processes live, ZeroMQ connects the link again, but a RESULT the
// subworker sent to the old connection is dropped, and nothing else would
// end the task: the subworker keeps heartbeating, so it is never lost.
//
// Every HEARTBEAT carries the subworker's load: the tasks it holds, queued
// and running. A task whose ACK arrived before the previous HEARTBEAT did
// ("settled") was held there before this HEARTBEAT was sent, so it is
// either counted in the load or has ended, with its RESULT on the way.
// When the load is below the number of settled tasks for
// kShortfallHeartbeats heartbeats in a row -- a heartbeat interval more than
// any RESULT merely on its way needs -- a RESULT was lost, and the control
// plane sends the SUBMIT of every settled task again. The subworker answers
// a task it holds with ACK and sends its RESULT on the live connection; one
// it no longer holds it runs again (delivery stays at least once). A task
// sent again kMaxResends times while the shortfall persists is taken as
// lost, like the tasks of a silent subworker, so that even a subworker that
// misreports its load cannot keep a task running forever.
//
// The reset may take the SUBMIT or its ACK instead: a task whose ACK has
// not come kShortfallHeartbeats heartbeats after its SUBMIT went out (a
// subworker answers a SUBMIT as soon as it reads it) is sent again too,
// under the same kMaxResends.
//
// Why the control plane reconciles rather than the subworker keeping its
// unacknowledged RESULTs to send again: it needs no change to the wire and
// works with subworkers of earlier releases; the control plane already
// keeps every payload until its task ends (for re-dispatch), while a
// subworker would have to keep results of up to --max-payload-bytes each
// and learn, through a new acknowledgement message, when to drop them.
//
// Not thread-safe: it belongs to the control plane's I/O thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control_plane/subworker_pool.hpp"

namespace fastqueue {

// Heartbeats in a row whose load is below the settled tasks before those
// tasks are sent again; also the heartbeats after which a SUBMIT without an
// ACK is sent again.
inline constexpr std::uint32_t kShortfallHeartbeats = 2;
// Times a task is sent again before it is taken as lost.
inline constexpr std::uint32_t kMaxResends = 3;

// What one HEARTBEAT's load asks of the control plane.
struct LoadReconciliation {
    std::vector<std::string> resend;  // send the SUBMIT again, then note_resent()
    std::vector<std::string> lost;    // sent again kMaxResends times: dispatch again elsewhere
};

// The subworker acknowledged the task's latest SUBMIT (an ACK arrived); a
// task not in flight there is ignored.
void note_acknowledged(SubworkerEntry& entry, const std::string& task_id);
// The task's SUBMIT was sent to the subworker again: settled only once its
// new ACK arrives.
void note_resent(SubworkerEntry& entry, const std::string& task_id);
// Takes in the load of a HEARTBEAT from the entry (after
// SubworkerPool::note_heartbeat) and says which tasks to send again or to
// take as lost. Costs O(tasks in flight there).
LoadReconciliation reconcile_load(SubworkerEntry& entry, std::uint32_t reported_load);

}  // namespace fastqueue

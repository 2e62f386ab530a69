// bad_messages.hpp -- the hostile input of the malformed-input tests: for
// each kind of port, messages that are wrong in one way each (wrong frame
// count, wrong protocol id or version, truncated or oversized frames, random
// bytes, valid frames in the wrong order, a message of the wrong kind), each
// with the words the receiver's rejection reason must contain. Also how to
// read the rejection lines back from a process's log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fastqueue::e2e {

struct BadMessage {
    std::string description;
    std::vector<std::string> frames;
    // A valid task id the message carries, or "" when none: a test can check
    // that no task with that id came to exist.
    std::string task_id;
    // Words the rejection reason contains (logged and sent back in ERROR).
    std::string reason;
};

// A normal SUBMIT payload: {"args":[1,2],"kwargs":{}}.
std::string sample_payload();

// For a control plane's or a subworker's priority port. The message of the
// wrong kind (an ACK) is refused with `wrong_kind_reason`, which differs
// between the two roles.
std::vector<BadMessage> bad_submissions(const std::string& wrong_kind_reason);
// For the control plane's query port (base+4).
std::vector<BadMessage> bad_queries();
// For the control plane's subworker management port (base+5).
std::vector<BadMessage> bad_management_messages();
// `count` messages of random frames (1..8 frames of 0..64 random bytes),
// the same for the same seed. None starts with "FQ/".
std::vector<BadMessage> random_garbage(std::uint32_t seed, int count);

// The reason a control plane gives for a message of the wrong kind on a
// priority port, and a subworker on its task ports.
inline constexpr const char* kWrongKindOnControlPlanePriorityPort =
    "only SUBMIT is accepted on a submission port";
inline constexpr const char* kWrongKindOnSubworkerTaskPort =
    "only SUBMIT and CANCEL are accepted on a subworker's task port";

// The lines of a role's log whose message reports a rejected message (see
// runtime/common/rejection_log.hpp), in order.
std::vector<std::string> rejection_lines(const std::string& log_text);

}  // namespace fastqueue::e2e

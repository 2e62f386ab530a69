// exit_codes.hpp -- what `fastqueue` returns to the shell. docs/operations.md
// lists the same table; scripts rely on these values, so they never change.
#pragma once

namespace fastqueue::cli {

enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,        // task failed or was cancelled; not found; startup failure
    kExitUsage = 2,          // bad flags, bad configuration value
    kExitUnreachable = 3,    // no answer from the control plane within --timeout
    kExitResultTimeout = 4,  // task accepted, result not back within --timeout
    kExitBusy = 5,           // the control plane's queue is full; nothing was queued
    kExitRefused = 6,        // the control plane refused the request for another reason
    kExitAuthFailed = 7,     // CURVE authentication failed (key refused, mechanism mismatch)
};

}  // namespace fastqueue::cli

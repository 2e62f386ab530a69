// shutdown_signals.hpp -- SIGINT and SIGTERM as a role's stop request.
//
// block_shutdown_signals() must run in main before any thread starts, so that
// every thread inherits the mask and the signals are only ever taken by
// wait_for_shutdown_signal(), synchronously, outside any signal handler.
#pragma once

#include <chrono>

namespace fastqueue::cli {

void block_shutdown_signals();

// Waits up to `timeout` for SIGINT or SIGTERM; returns the signal number, or
// 0 when none arrived.
int wait_for_shutdown_signal(std::chrono::milliseconds timeout);

}  // namespace fastqueue::cli

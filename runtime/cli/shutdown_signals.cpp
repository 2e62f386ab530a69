// shutdown_signals.cpp -- see shutdown_signals.hpp.
#include "cli/shutdown_signals.hpp"

#include <signal.h>
#include <time.h>

namespace fastqueue::cli {
namespace {

sigset_t shutdown_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

}  // namespace

void block_shutdown_signals() {
    const sigset_t set = shutdown_signal_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_shutdown_signal(std::chrono::milliseconds timeout) {
    const sigset_t set = shutdown_signal_set();
    timespec wait_time{};
    wait_time.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    wait_time.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
    const int signal_number = sigtimedwait(&set, nullptr, &wait_time);
    return signal_number > 0 ? signal_number : 0;
}

}  // namespace fastqueue::cli

// process_slot.cpp -- see process_slot.hpp.
#include "execution/process_slot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "common/duration_text.hpp"
#include "execution/executor_channel.hpp"
#include "plugins/task_registry.hpp"

namespace fastqueue {

using executor::Header;
using executor::IoStatus;
using executor::MessageType;
using SteadyClock = std::chrono::steady_clock;

ProcessSlot::ProcessSlot(const IsolationOptions& options, KillTimer& kill_timer,
                         std::atomic<std::uint64_t>& restarts)
    : options_(options), kill_timer_(kill_timer), restarts_(restarts) {}

ProcessSlot::~ProcessSlot() = default;

bool ProcessSlot::make_ready(const StopAwareWait& wait) {
    while (executor_ == nullptr) {
        if (wait(next_start_delay_)) return false;
        try {
            executor_ = ExecutorProcess::start(options_.command);
            started_at_ = SteadyClock::now();
            start_failures_ = 0;
            spdlog::debug("task process {} ready", executor_->pid());
        } catch (const ExecutorStartError& e) {
            ++start_failures_;
            next_start_delay_ = std::min<std::chrono::milliseconds>(
                kMaxRestartDelay, kFirstRestartDelay * (1u << std::min(start_failures_, 6u)));
            spdlog::error("{}; trying again in {}", e.what(), format_seconds(next_start_delay_));
        }
    }
    return true;
}

void ProcessSlot::cancel_requested() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (active_run_ == 0 || kill_handle_ != 0 || executor_ == nullptr) return;
    executor_->shared().cancelled_run.store(active_run_);
    const std::uint64_t run = active_run_;
    try {
        kill_handle_ = kill_timer_.arm(SteadyClock::now() + options_.kill_grace,
                                       [this, run] { kill_if_running(run); });
    } catch (...) {
        // Out of memory arming the timer: the cancel flag is still raised.
    }
}

void ProcessSlot::kill_if_running(std::uint64_t run) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (active_run_ != run || executor_ == nullptr) return;
    was_killed_ = true;
    executor_->kill_now();
}

void ProcessSlot::run(const RegisteredTask& /*entry*/, fq_task_context& context,
                      const zmq::message_t& payload, TaskOutcome& outcome) {
    if (executor_ == nullptr) {
        outcome.state = TaskState::failure;
        outcome.retryable = true;
        outcome.error = "no task process could be started to run it";
        return;
    }
    const std::uint64_t run = ++last_run_;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        active_run_ = run;
        was_killed_ = false;
    }
    context.set_cancel_observer(this);
    if (context.is_cancelled()) cancel_requested();

    const Exchange result = exchange(context, payload, outcome);

    context.set_cancel_observer(nullptr);
    bool was_killed = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        active_run_ = 0;
        if (kill_handle_ != 0) kill_timer_.disarm(std::exchange(kill_handle_, 0));
        was_killed = was_killed_;
    }
    if (!result.has_outcome) fail_with_lost_executor(context, result, was_killed, outcome);
}

auto ProcessSlot::exchange(fq_task_context& context, const zmq::message_t& payload,
                           TaskOutcome& outcome) -> Exchange {
    const int fd = executor_->channel();
    Header request = executor::make_header(MessageType::run, last_run_);
    request.text_size = static_cast<std::uint32_t>(context.task_id().size());
    request.name_size = static_cast<std::uint32_t>(context.task_name().size());
    request.data_size = payload.size();
    // The payload goes from its frame straight to the socket.
    const iovec parts[] = {
        {const_cast<char*>(context.task_id().data()), context.task_id().size()},
        {const_cast<char*>(context.task_name().data()), context.task_name().size()},
        {const_cast<void*>(payload.data()), payload.size()}};
    Exchange exchange;
    if (executor::send_message(fd, request, parts, 3) != IoStatus::ok) return exchange;

    const executor::ChannelLimits limits{true, options_.command.max_payload_bytes};
    for (;;) {
        Header header;
        if (executor::receive_header(fd, header) != IoStatus::ok) return exchange;
        if (auto problem = executor::check_header(header, limits)) {
            exchange.broken_because = *problem;
            return exchange;
        }
        if (header.run != last_run_ ||
            header.type == static_cast<std::uint16_t>(MessageType::ready)) {
            exchange.broken_because = "an answer to run " + std::to_string(header.run) +
                                      " of type " + std::to_string(header.type) +
                                      " while it ran run " + std::to_string(last_run_);
            return exchange;
        }
        if (header.type == static_cast<std::uint16_t>(MessageType::progress)) {
            std::string message(header.text_size, '\0');
            iovec part{message.data(), message.size()};
            if (executor::receive_exact(fd, &part, 1) != IoStatus::ok) return exchange;
            context.report_progress(header.fraction, message.c_str());
            continue;
        }
        // OUTCOME: the result is read straight into the string it is kept in.
        outcome.error.assign(header.text_size, '\0');
        outcome.result.assign(header.data_size, '\0');
        iovec body[] = {{outcome.error.data(), outcome.error.size()},
                        {outcome.result.data(), outcome.result.size()}};
        if (executor::receive_exact(fd, body, 2) != IoStatus::ok) {
            outcome.error.clear();
            outcome.result.clear();
            return exchange;
        }
        outcome.state = static_cast<TaskState>(header.flags & 0xff);
        outcome.retryable = (header.flags & executor::kRetryableFlag) != 0;
        exchange.has_outcome = true;
        return exchange;
    }
}

std::string ProcessSlot::describe_memory_exhaustion(std::uint64_t run) const {
    const std::uint64_t limit = options_.command.memory_limit_bytes;
    if (limit == 0) return {};
    auto& shared = executor_->shared();
    // A crash while the address space was within an eighth of the limit (at
    // least 16 MiB) is taken as one caused by an allocation that failed.
    const std::uint64_t margin = std::max<std::uint64_t>(limit / 8, 16 * 1024 * 1024);
    const std::uint64_t at_crash = shared.address_space_at_crash.load();
    const bool is_near_limit = at_crash > 0 && at_crash + margin >= limit;
    if (shared.allocation_failed_run.load() != run && !is_near_limit) return {};
    return "task process ran out of memory (--task-memory-limit " + std::to_string(limit) +
           " bytes): ";
}

void ProcessSlot::fail_with_lost_executor(const fq_task_context& context, const Exchange& exchange,
                                          bool was_killed, TaskOutcome& outcome) {
    if (!exchange.broken_because.empty()) executor_->kill_now();
    // An executor whose channel closed is exiting; give it a moment so that
    // its own status is the one reported.
    const std::string ended = executor_->reap(std::chrono::milliseconds(500));
    const std::string memory = describe_memory_exhaustion(last_run_);

    outcome.result.clear();
    if (was_killed) {
        outcome.state = TaskState::cancelled;
        outcome.retryable = false;
        outcome.error = "cancelled; its task process was killed after it ran on for " +
                        format_seconds(options_.kill_grace) + " (--kill-grace) past the cancel";
    } else if (!exchange.broken_because.empty()) {
        outcome.state = TaskState::failure;
        outcome.retryable = true;
        outcome.error =
            "task process sent a malformed message (" + exchange.broken_because + "); killed it";
    } else {
        outcome.state = TaskState::failure;
        outcome.retryable = true;
        const bool is_signal = ended.rfind("signal", 0) == 0;
        outcome.error = !memory.empty() ? memory + ended
                        : is_signal     ? "task process died: " + ended
                                        : "task process " + ended;
    }

    const auto lived = SteadyClock::now() - started_at_;
    executor_.reset();
    const std::uint64_t restarts = ++restarts_;
    quick_deaths_ = lived < kQuickDeath ? quick_deaths_ + 1 : 0;
    next_start_delay_ =
        quick_deaths_ <= 1
            ? std::chrono::milliseconds(0)
            : std::min<std::chrono::milliseconds>(
                  kMaxRestartDelay, kFirstRestartDelay * (1u << std::min(quick_deaths_ - 2, 6u)));
    spdlog::warn("task {} '{}': {}; starting a new task process{} ({} restarts so far)",
                 context.task_id(), context.task_name(), outcome.error,
                 next_start_delay_.count() > 0 ? " in " + format_seconds(next_start_delay_) : "",
                 restarts);
}

}  // namespace fastqueue

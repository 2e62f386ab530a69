// process_slot.cpp -- see process_slot.hpp.
#include "execution/process_slot.hpp"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "common/duration_text.hpp"
#include "execution/executor_channel.hpp"

namespace fastqueue {

using executor::Header;
using executor::IoStatus;
using executor::MessageType;
using SteadyClock = std::chrono::steady_clock;

namespace {

// base * 2^(step - 1), at most `cap`; 0 for step 0.
std::chrono::milliseconds doubling_delay(std::chrono::milliseconds base, std::uint32_t step,
                                         std::chrono::milliseconds cap) {
    if (step == 0) return std::chrono::milliseconds(0);
    return std::min<std::chrono::milliseconds>(cap, base * (1u << std::min(step - 1, 10u)));
}

}  // namespace

ProcessSlot::ProcessSlot(const IsolationOptions& options, KillTimer& kill_timer,
                         std::atomic<std::uint64_t>& restarts)
    : options_(options), kill_timer_(kill_timer), restarts_(restarts) {}

ProcessSlot::~ProcessSlot() = default;

bool ProcessSlot::make_ready(const StopAwareWait& wait) {
    while (executor_ == nullptr) {
        if (wait(next_start_delay_)) return false;
        try {
            auto started = ExecutorProcess::start(options_.command);
            std::lock_guard<std::mutex> lock(mutex_);
            executor_ = std::move(started);
        } catch (const ExecutorStartError& e) {
            next_start_delay_ =
                doubling_delay(kFirstRestartDelay, ++start_failures_, kMaxRestartDelay * 2);
            spdlog::error("{}; trying again in {}", e.what(), format_seconds(next_start_delay_));
            continue;
        }
        executor_started_at_ = SteadyClock::now();
        start_failures_ = 0;
        spdlog::debug("task process {} ready", executor_->pid());
    }
    return true;
}

void ProcessSlot::watch(fq_task_context& context) {
    const std::uint64_t run = ++last_run_;
    in_flight_.emplace_back(*this, run, context);
    context.set_cancel_observer(&in_flight_.back());
    if (context.is_cancelled()) cancel_requested(run);
}

void ProcessSlot::transmit(const fq_task_context& context, const zmq::message_t& payload) {
    auto entry = std::find_if(in_flight_.rbegin(), in_flight_.rend(),
                              [&](const InFlight& sent) { return &sent.context == &context; });
    if (entry == in_flight_.rend()) return;
    Header request = executor::make_header(MessageType::run, entry->run);
    request.text_size = static_cast<std::uint32_t>(context.task_id().size());
    request.name_size = static_cast<std::uint32_t>(context.task_name().size());
    request.data_size = payload.size();
    // The payload goes from its frame straight to the socket.
    const iovec parts[] = {
        {const_cast<char*>(context.task_id().data()), context.task_id().size()},
        {const_cast<char*>(context.task_name().data()), context.task_name().size()},
        {const_cast<void*>(payload.data()), payload.size()}};
    // A failed send shows as the loss of the executor in receive().
    executor::send_message(executor_->channel(), request, parts, 3);
}

void ProcessSlot::head_started() {
    head_started_at_ = SteadyClock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    head_run_ = in_flight_.front().run;
    was_killed_ = false;
    if (executor_->shared().is_cancelled(head_run_)) arm_kill(head_run_);
}

void ProcessSlot::cancel_requested(std::uint64_t run) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (executor_ == nullptr) return;
    executor_->shared().cancel_flag(run).store(run);
    if (run == head_run_) {
        arm_kill(run);
    } else {
        executor_->shared().skip_flag(run).store(run);
    }
}

void ProcessSlot::arm_kill(std::uint64_t run) {
    if (kill_handle_ != 0) return;
    try {
        kill_handle_ = kill_timer_.arm(SteadyClock::now() + options_.kill_grace,
                                       [this, run] { kill_if_running(run); });
    } catch (...) {
        // Out of memory arming the timer: the cancel flag is still raised.
    }
}

void ProcessSlot::kill_if_running(std::uint64_t run) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (head_run_ != run || executor_ == nullptr) return;
    was_killed_ = true;
    executor_->kill_now();
}

auto ProcessSlot::receive() -> Event {
    const int fd = executor_->channel();
    const std::uint64_t head = in_flight_.front().run;
    const executor::ChannelLimits limits{true, options_.command.max_payload_bytes};
    Header header;
    if (executor::receive_header(fd, header) != IoStatus::ok) return lose_executor({});
    if (auto problem = executor::check_header(header, limits)) return lose_executor(*problem);
    if (header.run != head || header.type == static_cast<std::uint16_t>(MessageType::ready)) {
        return lose_executor("message type " + std::to_string(header.type) + " for run " +
                             std::to_string(header.run) + " while run " + std::to_string(head) +
                             " runs");
    }
    Event event;
    if (header.type == static_cast<std::uint16_t>(MessageType::progress)) {
        event.kind = Event::Kind::progress;
        event.fraction = header.fraction;
        event.message.assign(header.text_size, '\0');
        iovec part{event.message.data(), event.message.size()};
        if (executor::receive_exact(fd, &part, 1) != IoStatus::ok) return lose_executor({});
        return event;
    }
    // OUTCOME: the result is read straight into the string it is kept in.
    event.kind = Event::Kind::outcome;
    TaskOutcome& outcome = event.outcome;
    outcome.error.assign(header.text_size, '\0');
    outcome.result.assign(header.data_size, '\0');
    iovec body[] = {{outcome.error.data(), outcome.error.size()},
                    {outcome.result.data(), outcome.result.size()}};
    if (executor::receive_exact(fd, body, 2) != IoStatus::ok) return lose_executor({});
    outcome.state = static_cast<TaskState>(header.flags & 0xff);
    outcome.retryable = (header.flags & executor::kRetryableFlag) != 0;
    note_run_time(SteadyClock::now() - head_started_at_);
    return event;
}

auto ProcessSlot::peek_arrival() const -> Arrival {
    const int fd = executor_->channel();
    Header header;
    const ssize_t peeked = ::recv(fd, &header, sizeof header, MSG_PEEK | MSG_DONTWAIT);
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return Arrival::nothing;
    }
    if (peeked != static_cast<ssize_t>(sizeof header)) return Arrival::other;
    const executor::ChannelLimits limits{true, options_.command.max_payload_bytes};
    if (executor::check_header(header, limits) || header.run != in_flight_.front().run) {
        return Arrival::other;
    }
    std::uint64_t body = header.text_size;
    if (header.type == static_cast<std::uint16_t>(MessageType::outcome)) {
        body += header.data_size;
    } else if (header.type != static_cast<std::uint16_t>(MessageType::progress)) {
        return Arrival::other;
    }
    int queued = 0;
    if (::ioctl(fd, FIONREAD, &queued) != 0 || queued < 0) return Arrival::other;
    return static_cast<std::uint64_t>(queued) >= sizeof header + body ? Arrival::complete
                                                                      : Arrival::other;
}

void ProcessSlot::forget_head() {
    InFlight& head = in_flight_.front();
    head.context.set_cancel_observer(nullptr);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (head_run_ == head.run) head_run_ = 0;
        if (kill_handle_ != 0) kill_timer_.disarm(std::exchange(kill_handle_, 0));
    }
    in_flight_.pop_front();
}

void ProcessSlot::note_run_time(SteadyClock::duration run_time) {
    const double us = std::chrono::duration<double, std::micro>(run_time).count();
    average_run_us_ = average_run_us_ == 0 ? us : average_run_us_ + (us - average_run_us_) / 8;
    const double budget_us = std::chrono::duration<double, std::micro>(kDepthBudget).count();
    const double fitting = budget_us / std::max(average_run_us_, 1.0);
    depth_ = std::clamp<std::size_t>(static_cast<std::size_t>(fitting), 1, kMaxDepth);
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

std::uint64_t ProcessSlot::retire_executor() {
    const auto lived = SteadyClock::now() - executor_started_at_;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        executor_.reset();
    }
    quick_deaths_ = lived < kQuickDeath ? quick_deaths_ + 1 : 0;
    // The first loss in a while restarts at once; a crash loop slows down.
    next_start_delay_ = doubling_delay(kFirstRestartDelay,
                                       quick_deaths_ > 0 ? quick_deaths_ - 1 : 0, kMaxRestartDelay);
    return ++restarts_;
}

void ProcessSlot::end_idle_executor() {
    // Nothing is owed by an idle executor: whatever it sent, it is done.
    executor_->kill_now();
    const pid_t pid = executor_->pid();
    const std::string ended = executor_->reap(std::chrono::milliseconds(500));
    const std::uint64_t restarts = retire_executor();
    spdlog::warn("task process {} ended while idle ({}); starting a new one{} ({} restarts so far)",
                 pid, ended,
                 next_start_delay_.count() > 0 ? " in " + format_seconds(next_start_delay_) : "",
                 restarts);
}

auto ProcessSlot::lose_executor(std::string broken_because) -> Event {
    const InFlight& head = in_flight_.front();
    if (!broken_because.empty()) executor_->kill_now();
    // An executor whose channel closed is exiting; give it a moment so that
    // its own status is the one reported.
    const std::string ended = executor_->reap(std::chrono::milliseconds(500));
    const std::string memory = describe_memory_exhaustion(head.run);
    bool was_killed = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        was_killed = was_killed_ && head_run_ == head.run;
    }

    Event event;
    event.kind = Event::Kind::lost;
    TaskOutcome& outcome = event.outcome;
    outcome.state = TaskState::failure;
    outcome.retryable = true;
    if (was_killed) {
        outcome.state = TaskState::cancelled;
        outcome.retryable = false;
        outcome.error = "cancelled; its task process was killed after it ran on for " +
                        format_seconds(options_.kill_grace) + " (--kill-grace) past the cancel";
    } else if (!broken_because.empty()) {
        outcome.error =
            "task process sent a malformed message (" + broken_because + "); it was killed";
    } else if (!memory.empty()) {
        outcome.error = memory + ended;
    } else {
        const bool is_signal = ended.rfind("signal", 0) == 0;
        outcome.error = is_signal ? "task process died: " + ended : "task process " + ended;
    }

    const std::uint64_t restarts = retire_executor();
    spdlog::warn("task {} '{}': {}; starting a new task process{} ({} restarts so far)",
                 head.context.task_id(), head.context.task_name(), outcome.error,
                 next_start_delay_.count() > 0 ? " in " + format_seconds(next_start_delay_) : "",
                 restarts);
    return event;
}

}  // namespace fastqueue

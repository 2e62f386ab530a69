// task_context.hpp -- the host side of one running task, as plugins see it
// through the opaque fq_task_context pointer of the plugin ABI.
//
// The execution engine creates one per task run, hands it to the handler and
// reads the outcome after the handler returns. The host API functions in
// runtime/plugins/host_api.cpp forward to these members. Every member may be
// called from the handler thread that runs the task; is_cancelled() and
// request_cancel() may also be called from any other thread.
//
// In process isolation the same type serves both sides of the executor
// channel. In the role, a CancelObserver hears every request_cancel() (the
// slot forwards it to its executor). In an executor, link_to_role() makes
// is_cancelled() also read the role's flag in shared memory, and progress
// go to the role through a ProgressSink.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fastqueue/plugin.h"

namespace fastqueue {

// Told of every request_cancel() of the context it watches, on the thread
// that made it; must not block.
class CancelObserver {
public:
    virtual void cancel_requested() noexcept = 0;

protected:
    ~CancelObserver() = default;
};

// Receives every progress report of the context it is linked to, on the
// handler's thread.
class ProgressSink {
public:
    virtual void progress_reported(double fraction, const char* message) noexcept = 0;

protected:
    ~ProgressSink() = default;
};

}  // namespace fastqueue

struct fq_task_context {
public:
    fq_task_context(std::string task_id, std::string task_name)
        : task_id_(std::move(task_id)), task_name_(std::move(task_name)) {}
    fq_task_context(const fq_task_context&) = delete;
    fq_task_context& operator=(const fq_task_context&) = delete;

    const std::string& task_id() const { return task_id_; }
    const std::string& task_name() const { return task_name_; }

    // Copies size bytes at data as the result; replaces an earlier result.
    void set_result(const std::uint8_t* data, std::size_t size) {
        result_.assign(reinterpret_cast<const char*>(data), size);
        has_result_ = true;
    }
    // Copies message as the error; replaces an earlier error.
    void set_error(const char* message) {
        error_ = message;
        has_error_ = true;
    }
    void report_progress(double fraction, const char* message) {
        {
            std::lock_guard<std::mutex> lock(progress_mutex_);
            progress_ = fraction;
            progress_message_ = message != nullptr ? message : "";
        }
        if (progress_sink_ != nullptr) progress_sink_->progress_reported(fraction, message);
    }
    std::optional<double> progress() const {
        std::lock_guard<std::mutex> lock(progress_mutex_);
        return progress_;
    }

    bool is_cancelled() const {
        if (cancelled_.load(std::memory_order_relaxed)) return true;
        return role_cancel_flag_ != nullptr &&
               role_cancel_flag_->load(std::memory_order_relaxed) == run_number_;
    }
    void request_cancel() {
        cancelled_.store(true, std::memory_order_relaxed);
        if (auto* observer = cancel_observer_.load(std::memory_order_acquire)) {
            observer->cancel_requested();
        }
    }

    // Role side: `observer` (or nullptr, to stop) hears every later
    // request_cancel(). A cancel requested before the call is not replayed:
    // check is_cancelled() after setting it.
    void set_cancel_observer(fastqueue::CancelObserver* observer) {
        cancel_observer_.store(observer, std::memory_order_release);
    }
    // Executor side, before the handler runs: the task counts as cancelled
    // once *role_cancel_flag holds run_number, and progress goes to `sink`.
    // Both must outlive the context.
    void link_to_role(const std::atomic<std::uint64_t>* role_cancel_flag, std::uint64_t run_number,
                      fastqueue::ProgressSink* sink) {
        role_cancel_flag_ = role_cancel_flag;
        run_number_ = run_number;
        progress_sink_ = sink;
    }

    bool has_result() const { return has_result_; }
    bool has_error() const { return has_error_; }
    std::string& result() { return result_; }
    std::string& error() { return error_; }

private:
    const std::string task_id_;
    const std::string task_name_;
    std::string result_;  // written only by the handler thread
    std::string error_;   // written only by the handler thread
    bool has_result_ = false;
    bool has_error_ = false;
    std::atomic<bool> cancelled_{false};
    std::atomic<fastqueue::CancelObserver*> cancel_observer_{nullptr};
    const std::atomic<std::uint64_t>* role_cancel_flag_ = nullptr;  // executor side
    std::uint64_t run_number_ = 0;
    fastqueue::ProgressSink* progress_sink_ = nullptr;  // executor side
    mutable std::mutex progress_mutex_;
    std::optional<double> progress_;  // guarded by progress_mutex_
    std::string progress_message_;    // guarded by progress_mutex_
};

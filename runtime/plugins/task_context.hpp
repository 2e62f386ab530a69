// task_context.hpp -- the host side of one running task, as plugins see it
// through the opaque fq_task_context pointer of the plugin ABI.
//
// The execution engine creates one per task run, hands it to the handler and
// reads the outcome after the handler returns. The host API functions in
// runtime/plugins/host_api.cpp forward to these members. Every member may be
// called from the handler thread that runs the task; is_cancelled() and
// request_cancel() may also be called from any other thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fastqueue/plugin.h"

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
        std::lock_guard<std::mutex> lock(progress_mutex_);
        progress_ = fraction;
        progress_message_ = message != nullptr ? message : "";
    }
    std::optional<double> progress() const {
        std::lock_guard<std::mutex> lock(progress_mutex_);
        return progress_;
    }

    bool is_cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
    void request_cancel() { cancelled_.store(true, std::memory_order_relaxed); }

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
    mutable std::mutex progress_mutex_;
    std::optional<double> progress_;  // guarded by progress_mutex_
    std::string progress_message_;    // guarded by progress_mutex_
};

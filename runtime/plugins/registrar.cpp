// registrar.cpp -- validation and collection of the tasks a plugin registers
// during its init; see registrar.hpp.
#include "plugins/registrar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace fastqueue {

namespace {

bool is_task_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
}

// A task name as it may be quoted in a message: bounded, so that a plugin
// passing a huge or unterminated-looking string cannot flood the log.
std::string quotable_name(const char* name) {
    constexpr std::size_t kShownChars = 140;
    const std::size_t length = strnlen(name, kShownChars + 1);
    if (length <= kShownChars) return std::string(name, length);
    return std::string(name, kShownChars) + "...";
}

}  // namespace

std::string task_name_problem(const char* name) {
    if (name == nullptr) return "name is NULL";
    const std::size_t length = strnlen(name, kMaxTaskNameLength + 1);
    bool is_valid = length >= 1 && length <= kMaxTaskNameLength;
    for (std::size_t i = 0; is_valid && i < length; ++i) is_valid = is_task_name_char(name[i]);
    if (is_valid) return {};
    return fmt::format("name must be 1 to {} characters of [A-Za-z0-9_.:-]", kMaxTaskNameLength);
}

}  // namespace fastqueue

int fq_registrar::register_task(const fq_task_def* def) {
    if (!is_open()) return FQ_ERROR_STATE;
    if (def == nullptr) {
        return refuse(FQ_ERROR_INVALID_ARGUMENT, "a task", "the task definition is NULL");
    }
    // struct_size comes first in every ABI version, so it is safe to read
    // before knowing how much of the struct the plugin has.
    if (def->struct_size < fastqueue::kTaskDefSizeAbi1_0) {
        return refuse(FQ_ERROR_INVALID_ARGUMENT, "a task",
                      fmt::format("struct_size {} is smaller than {}, the ABI 1.0 fq_task_def size",
                                  def->struct_size, fastqueue::kTaskDefSizeAbi1_0));
    }
    // Append-only rule: copy what both sides know into a zeroed struct, so a
    // member this plugin predates reads as zero.
    fq_task_def copy;
    std::memset(&copy, 0, sizeof copy);
    std::memcpy(&copy, def, std::min<std::size_t>(def->struct_size, sizeof copy));

    if (copy.name == nullptr) {
        return refuse(FQ_ERROR_INVALID_ARGUMENT, "a task", "the task name is NULL");
    }
    const std::string subject = "task '" + fastqueue::quotable_name(copy.name) + "'";
    if (auto problem = fastqueue::task_name_problem(copy.name); !problem.empty()) {
        return refuse(FQ_ERROR_INVALID_ARGUMENT, subject, problem);
    }
    if (copy.handler == nullptr) {
        return refuse(FQ_ERROR_INVALID_ARGUMENT, subject, "the handler is NULL");
    }
    if ((copy.flags & ~fastqueue::kKnownTaskFlags) != 0) {
        return refuse(
            FQ_ERROR_INVALID_ARGUMENT, subject,
            fmt::format("unknown flag bits 0x{:x}", copy.flags & ~fastqueue::kKnownTaskFlags));
    }

    fastqueue::RegisteredTask task;
    task.name = copy.name;
    if (copy.description != nullptr) {
        task.description = copy.description;
        // The description is documented as one line; keep listings and logs
        // one line per task even when a plugin breaks that.
        for (char& c : task.description) {
            if (c == '\n' || c == '\r') c = ' ';
        }
    }
    task.plugin_name = plugin_name_;
    task.plugin_path = plugin_path_;
    task.handler = copy.handler;
    task.user_data = copy.user_data;
    task.flags = copy.flags;
    task.default_timeout_ms = copy.timeout_ms;  // 0 when the plugin predates ABI 1.1

    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& existing : tasks_) {
        if (existing.name == task.name) {
            if (first_error_.empty()) {
                first_error_ = "cannot register " + subject + ": it is registered twice";
            }
            return FQ_ERROR_DUPLICATE;
        }
    }
    tasks_.push_back(std::move(task));
    return FQ_OK;
}

int fq_registrar::refuse(int status, std::string subject, std::string reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (first_error_.empty()) first_error_ = "cannot register " + subject + ": " + reason;
    return status;
}

std::string fq_registrar::first_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_error_;
}

std::vector<fastqueue::RegisteredTask> fq_registrar::take_tasks() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(tasks_);
}

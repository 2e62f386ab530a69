// record_output.cpp -- see record_output.hpp.
#include "cli/record_output.hpp"

#include <iostream>

#include "protocol/record_json.hpp"

namespace fastqueue::cli {

void print_record_json(const TaskRecord& record) {
    std::cout << protocol::record_to_cli_json(record).dump() << "\n";
}

void print_record_text(const TaskRecord& record) {
    auto field = [](const char* name, const std::string& value) {
        std::cout << name << ": " << (value.empty() ? "-" : value) << "\n";
    };
    field("task_id", record.task_id);
    field("task_name", record.task_name);
    field("priority", std::string(to_string(record.priority)));
    field("status", std::string(to_string(record.state)));
    field("result", record.result);
    field("error", record.error);
    field("attempts", std::to_string(record.attempts));
    field("worker_id", record.worker_id);
    field("submitted_at", format_timestamp(record.submitted_at));
    field("started_at", format_timestamp(record.started_at));
    field("finished_at", format_timestamp(record.finished_at));
    if (record.progress) field("progress", std::to_string(*record.progress));
}

}  // namespace fastqueue::cli

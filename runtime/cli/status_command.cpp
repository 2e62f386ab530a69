// status_command.cpp -- `fastqueue status` and `fastqueue cancel`: the two
// commands that name an existing task by id on the query port.
#include <iostream>
#include <memory>
#include <string>

#include "cli/client_options.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/record_output.hpp"
#include "common/uuid.hpp"

namespace fastqueue::cli {
namespace {

struct TaskIdFlags {
    std::string task_id;
    bool is_json = false;
    ClientFlags client;
};

bool check_task_id(const std::string& command, const std::string& task_id) {
    if (is_valid_uuid(task_id)) return true;
    std::cerr << "fastqueue " << command << ": invalid --task-id '" << task_id
              << "': must be a UUID such as 3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f\n";
    return false;
}

int run_status(const TaskIdFlags& flags) {
    if (!check_task_id("status", flags.task_id)) return kExitUsage;
    try {
        Client client(flags.client.to_options());
        const auto record = client.get(flags.task_id);
        if (!record) {
            std::cerr << "fastqueue status: task " << flags.task_id
                      << " not found (unknown, expired or evicted)\n";
            return kExitFailure;
        }
        if (flags.is_json) {
            print_record_json(*record);
        } else {
            print_record_text(*record);
        }
        return kExitOk;
    } catch (const ClientError& error) {
        return report_client_error("status", error);
    }
}

int run_cancel(const TaskIdFlags& flags) {
    if (!check_task_id("cancel", flags.task_id)) return kExitUsage;
    try {
        Client client(flags.client.to_options());
        switch (client.cancel(flags.task_id)) {
            case CancelResult::cancelled:
                std::cout << "cancelled " << flags.task_id << "\n";
                return kExitOk;
            case CancelResult::cancelling:
                std::cout << "cancellation requested for running task " << flags.task_id << "\n";
                return kExitOk;
            case CancelResult::finished:
                std::cerr << "fastqueue cancel: task " << flags.task_id
                          << " has already finished\n";
                return kExitFailure;
            case CancelResult::not_found:
                std::cerr << "fastqueue cancel: task " << flags.task_id << " not found\n";
                return kExitFailure;
        }
        return kExitFailure;
    } catch (const ClientError& error) {
        return report_client_error("cancel", error);
    }
}

}  // namespace

Command add_status_command(CLI::App& app) {
    auto* subcommand = app.add_subcommand("status", "Print a task's record");
    auto flags = std::make_shared<TaskIdFlags>();
    subcommand->add_option("--task-id", flags->task_id, "The task's id")->required();
    subcommand->add_flag("--json", flags->is_json, "Print the record as one JSON object");
    flags->client.declare(*subcommand);
    return Command{subcommand, [flags] { return run_status(*flags); }};
}

Command add_cancel_command(CLI::App& app) {
    auto* subcommand = app.add_subcommand("cancel", "Cancel a queued or running task");
    auto flags = std::make_shared<TaskIdFlags>();
    subcommand->add_option("--task-id", flags->task_id, "The task's id")->required();
    flags->client.declare(*subcommand);
    return Command{subcommand, [flags] { return run_cancel(*flags); }};
}

}  // namespace fastqueue::cli

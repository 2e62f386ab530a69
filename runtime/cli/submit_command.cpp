// submit_command.cpp -- `fastqueue submit`: builds the conventional payload
// {"args": [...], "kwargs": {...}} from the flags, submits the task and
// either waits for its result or prints its id once it is acknowledged.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/client_options.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/record_output.hpp"
#include "cli/task_option_flags.hpp"
#include "protocol/bounded_json.hpp"

namespace fastqueue::cli {
namespace {

struct SubmitFlags {
    std::string task_name;
    std::vector<std::string> args;
    std::string kwargs = "{}";
    std::string priority = "normal";
    bool is_non_blocking = false;
    bool is_json = false;
    ClientFlags client;
    TaskOptionFlags task;
};

// The JSON text of one --args value: the value itself where it is valid JSON,
// otherwise the value as a JSON string; std::nullopt for JSON nested too deep
// to handle safely. The text is passed on as it is, never parsed into a
// value and written back here: writing recurses once per level.
std::optional<std::string> argument_text(const std::string& value) {
    switch (protocol::parse_bounded_json(value).outcome) {
        case protocol::BoundedJsonOutcome::ok:
            return value;
        case protocol::BoundedJsonOutcome::invalid:
            return nlohmann::json(value).dump(-1, ' ', false,
                                              nlohmann::json::error_handler_t::replace);
        case protocol::BoundedJsonOutcome::too_deep:
            break;
    }
    return std::nullopt;
}

int run_submit(const SubmitFlags& flags) {
    const auto priority = parse_priority(flags.priority);
    if (!priority) {
        std::cerr << "fastqueue submit: invalid --priority '" << flags.priority
                  << "': must be critical, high, normal or low\n";
        return kExitUsage;
    }
    std::string args = "[";
    for (const auto& value : flags.args) {
        auto text = argument_text(value);
        if (!text) {
            std::cerr << "fastqueue submit: an --args value is nested more than "
                      << protocol::kMaxJsonNesting << " arrays and objects deep\n";
            return kExitUsage;
        }
        if (args.size() > 1) args += ',';
        args += *text;
    }
    args += ']';

    try {
        const std::string payload = Client::make_payload(args, flags.kwargs);
        const TaskOptions task_options = flags.task.to_options();
        Client client(flags.client.to_options());
        if (flags.is_non_blocking) {
            const std::string task_id =
                client.submit(flags.task_name, payload, *priority, task_options);
            if (!flags.is_json) {
                std::cout << task_id << "\n";
                return kExitOk;
            }
            TaskRecord record;
            if (auto current = client.get(task_id)) {
                record = std::move(*current);
            } else {
                record.task_id = task_id;
                record.task_name = flags.task_name;
                record.priority = *priority;
            }
            print_record_json(record);
            return kExitOk;
        }

        const TaskRecord record =
            client.submit_and_wait(flags.task_name, payload, *priority, task_options);
        if (flags.is_json) {
            print_record_json(record);
        } else if (record.state == TaskState::success) {
            std::cout << record.result << "\n";
        }
        if (record.state == TaskState::success) return kExitOk;
        std::cerr << "fastqueue submit: task " << record.task_id << " " << to_string(record.state)
                  << ": " << record.error << "\n";
        return kExitFailure;
    } catch (const ClientError& error) {
        return report_client_error("submit", error);
    }
}

}  // namespace

Command add_submit_command(CLI::App& app) {
    auto* subcommand =
        app.add_subcommand("submit", "Submit a task and print its result (or its id)");
    auto flags = std::make_shared<SubmitFlags>();
    subcommand->add_option("--task-name", flags->task_name, "Name of the task to run")->required();
    subcommand->add_option(
        "--args", flags->args,
        "Positional arguments; each is parsed as JSON when valid, else taken as a string");
    subcommand->add_option("--kwargs", flags->kwargs, "Keyword arguments as a JSON object")
        ->capture_default_str();
    subcommand->add_option("--priority", flags->priority, "critical, high, normal or low")
        ->capture_default_str();
    subcommand->add_flag(
        "--non-blocking", flags->is_non_blocking,
        "Print the task id once the task is acknowledged; do not wait for the result");
    subcommand->add_flag("--json", flags->is_json, "Print the task record as one JSON object");
    flags->client.declare(*subcommand);
    flags->task.declare(*subcommand);
    return Command{subcommand, [flags] { return run_submit(*flags); }};
}

}  // namespace fastqueue::cli

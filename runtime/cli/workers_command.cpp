// workers_command.cpp -- `fastqueue workers`: the control plane's view of its
// subworkers (WORKERS on the query port), as the status JSON object with
// --json or as a table with a totals line.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/client_options.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "fastqueue/subworker_status.hpp"
#include "protocol/codec.hpp"

namespace fastqueue::cli {
namespace {

struct WorkersFlags {
    bool is_json = false;
    ClientFlags client;
};

// One row per subworker, columns padded to their widest cell:
//   ID   ADDRESS               STATUS  LOAD/CAPACITY  WINDOW  COMPLETED  RESTARTS  LAST SEEN
//   sw1  tcp://127.0.0.1:5561  active  2/4            64      17         1         2026-...Z
// (WINDOW is the prefetch window, RESTARTS its task process restarts; "-"
// from a control plane that does not report them)
// then "N subworkers, M active" (with no subworkers listed, only that line),
// "L not listed (the reply's size limit)" when the control plane left some
// out, "control plane ID: concurrency C, R task process restart(s)" when it
// reports itself, and "K message(s) rejected by the control plane" when it
// reports that count.
void print_workers_table(const SubworkerPoolStatus& status) {
    std::vector<std::vector<std::string>> rows{{"ID", "ADDRESS", "STATUS", "LOAD/CAPACITY",
                                                "WINDOW", "COMPLETED", "RESTARTS", "LAST SEEN"}};
    for (const auto& [worker_id, info] : status.subworkers) {
        rows.push_back(
            {worker_id, info.address, info.is_active ? "active" : "inactive",
             std::to_string(info.load) + "/" + std::to_string(info.capacity),
             info.prefetch_window ? std::to_string(*info.prefetch_window) : "-",
             std::to_string(info.tasks_completed),
             info.task_process_restarts ? std::to_string(*info.task_process_restarts) : "-",
             format_timestamp(info.last_seen)});
    }
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows) {
        for (std::size_t column = 0; column < row.size(); ++column) {
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    for (const auto& row : rows) {
        if (status.subworkers.empty()) break;
        std::string line;
        for (std::size_t column = 0; column < row.size(); ++column) {
            line += row[column];
            if (column + 1 < row.size())
                line += std::string(widths[column] - row[column].size() + 2, ' ');
        }
        std::cout << line << "\n";
    }
    std::cout << status.total_subworkers
              << (status.total_subworkers == 1 ? " subworker, " : " subworkers, ")
              << status.active_subworkers << " active\n";
    if (status.omitted_subworkers > 0) {
        std::cout << status.omitted_subworkers
                  << " not listed (the control plane's reply lists at most "
                  << protocol::kMaxStatusBytes << " bytes; active subworkers first)\n";
    }
    if (status.control_plane) {
        std::cout << "control plane " << status.control_plane->worker_id << ": concurrency "
                  << status.control_plane->concurrency << ", "
                  << status.control_plane->task_process_restarts << " task process restart(s)\n";
    }
    if (status.messages_rejected) {
        std::cout << *status.messages_rejected << " message(s) rejected by the control plane\n";
    }
}

int run_workers(const WorkersFlags& flags) {
    try {
        Client client(flags.client.to_options());
        const SubworkerPoolStatus status = client.get_subworker_status();
        if (flags.is_json) {
            std::cout << to_json_text(status) << "\n";
        } else {
            print_workers_table(status);
        }
        return kExitOk;
    } catch (const ClientError& error) {
        return report_client_error("workers", error);
    }
}

}  // namespace

Command add_workers_command(CLI::App& app) {
    auto* subcommand = app.add_subcommand("workers", "Show the control plane's subworkers");
    auto flags = std::make_shared<WorkersFlags>();
    subcommand->add_flag("--json", flags->is_json, "Print the status as one JSON object");
    flags->client.declare(*subcommand);
    return Command{subcommand, [flags] { return run_workers(*flags); }};
}

}  // namespace fastqueue::cli

// command.hpp -- how a subcommand plugs into main: it declares its flags on
// its own CLI11 subcommand and returns the function that runs it after a
// successful parse, returning the process's exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace fastqueue::cli {

struct Command {
    CLI::App* subcommand = nullptr;
    std::function<int()> run;
};

Command add_control_plane_command(CLI::App& app);
Command add_subworker_command(CLI::App& app);
Command add_submit_command(CLI::App& app);
Command add_status_command(CLI::App& app);
Command add_cancel_command(CLI::App& app);
Command add_list_command(CLI::App& app);
Command add_workers_command(CLI::App& app);
// `fastqueue keygen --out PREFIX`: a CURVE key pair as certificate files.
Command add_keygen_command(CLI::App& app);
// `fastqueue journal check|repair DIR`.
Command add_journal_command(CLI::App& app);
// `fastqueue executor`: the task process a role starts for each handler
// slot (hidden from --help; not for people).
Command add_executor_command(CLI::App& app);

}  // namespace fastqueue::cli

// main.cpp -- the `fastqueue` executable. It only picks the subcommand: each
// role and client command lives in its own file under cli/.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <vector>

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "fastqueue/plugin.h"

int main(int argc, char** argv) {
    using namespace fastqueue::cli;
    CLI::App app{"FastQueue: a brokerless distributed task queue", "fastqueue"};
    app.require_subcommand(0, 1);
    bool is_version_requested = false;
    app.add_flag("--version", is_version_requested, "Print the version and the plugin ABI version");

    std::vector<Command> commands{add_control_plane_command(app), add_submit_command(app),
                                  add_status_command(app), add_cancel_command(app),
                                  add_list_command(app)};
    commands.push_back(add_subworker_command(app));
    commands.push_back(add_workers_command(app));
    commands.push_back(add_journal_command(app));
    commands.push_back(add_keygen_command(app));
    commands.push_back(add_executor_command(app));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? kExitOk : kExitUsage;
    }
    if (is_version_requested) {
        std::printf("fastqueue %s (plugin ABI %d.%d)\n", FASTQUEUE_VERSION, FQ_PLUGIN_ABI_MAJOR,
                    FQ_PLUGIN_ABI_MINOR);
        return kExitOk;
    }
    for (auto& command : commands) {
        if (command.subcommand->parsed()) return command.run();
    }
    std::cerr << app.help();
    return kExitUsage;
}

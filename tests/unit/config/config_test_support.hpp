// config_test_support.hpp -- what the configuration tests share: a fake
// environment, a TOML file that removes itself, and a way to run the control
// plane's options over a command line as `fastqueue control-plane ARGS...`
// would.
#pragma once

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/control_plane_options.hpp"

namespace fastqueue::testing {

// An environment holding exactly `variables`.
inline EnvironmentLookup fake_environment(std::map<std::string, std::string> variables = {}) {
    return
        [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
            auto found = variables.find(name);
            if (found == variables.end()) return std::nullopt;
            return found->second;
        };
}

// A file in the temporary directory holding `contents`, removed on destruction.
class TempTomlFile {
public:
    explicit TempTomlFile(const std::string& contents) {
        static std::atomic<int> counter{0};
        path_ = (std::filesystem::temp_directory_path() /
                 ("fastqueue_config_test_" + std::to_string(::getpid()) + "_" +
                  std::to_string(counter++) + ".toml"))
                    .string();
        std::ofstream(path_) << contents;
    }
    ~TempTomlFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempTomlFile(const TempTomlFile&) = delete;
    TempTomlFile& operator=(const TempTomlFile&) = delete;

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// Parses `args` as the arguments of `fastqueue control-plane` and resolves
// them against `environment`. CLI usage errors surface as CLI::ParseError.
inline ControlPlaneSettings resolve_control_plane(
    const std::vector<std::string>& args,
    const EnvironmentLookup& environment = fake_environment()) {
    CLI::App app("fastqueue");
    CLI::App* command = app.add_subcommand("control-plane");
    ControlPlaneOptions options(*command);
    std::vector<std::string> argv_strings = {"fastqueue", "control-plane"};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<const char*> argv;
    for (const auto& arg : argv_strings) argv.push_back(arg.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return options.resolve(environment);
}

// The message of the ConfigError that resolving throws, or "" when it does not.
inline std::string config_error_of(const std::vector<std::string>& args,
                                   const EnvironmentLookup& environment = fake_environment()) {
    try {
        resolve_control_plane(args, environment);
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "";
}

}  // namespace fastqueue::testing

// subworker_options.hpp -- the flags of `fastqueue subworker` and how they
// resolve into SubworkerSettings.
//
// The same machinery as ControlPlaneOptions: each key is declared once with
// its flag, its environment variable (FASTQUEUE_ + the flag's name in upper
// case) and its TOML key; the engine keys (task-modules, modules-dir,
// concurrency, log-level, shutdown-grace) are the control plane's, lifted
// into SubworkerSettings. Precedence: command line, then environment, then
// the file named by --config (or FASTQUEUE_CONFIG), then the default.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "config/config_error.hpp"
#include "config/environment.hpp"  // EnvironmentLookup, process_environment
#include "config/settings.hpp"

namespace fastqueue {

// --prefetch accepts 0..kMaxPrefetch (the REGISTER message's limit).
inline constexpr std::uint32_t kMaxPrefetch = 1024;

class SubworkerOptions {
public:
    // Declares every subworker flag on `command` (which must outlive this).
    explicit SubworkerOptions(CLI::App& command);
    ~SubworkerOptions();
    SubworkerOptions(const SubworkerOptions&) = delete;
    SubworkerOptions& operator=(const SubworkerOptions&) = delete;

    // After command has parsed: merges the layers and validates every value.
    // Throws ConfigError naming the key, the source and the reason, and
    // ConfigError "--worker-id is required ..." when no layer gives a worker id.
    // control_plane_address stays unset when no layer gives it (the command
    // then asks discovery).
    SubworkerSettings resolve(const EnvironmentLookup& environment = process_environment) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The subworker's configuration table for docs/operations.md, in Markdown.
std::string subworker_keys_markdown();

}  // namespace fastqueue

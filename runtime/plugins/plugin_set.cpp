// plugin_set.cpp -- loads plugin files with Boost.DLL, checks their
// descriptor and ABI version, runs their init and moves the tasks they
// registered into the TaskRegistry; see plugin_set.hpp for the contract.
//
// Every refusal is a PluginLoadError whose message is one line that starts
// with the file's path. A plugin is owned by a Library from the moment it is
// opened: destroying the Library calls the plugin's shutdown (only when its
// init succeeded) and then unloads it, so any failure part-way through a load,
// as well as the PluginSet's destruction, releases exactly what was taken.
#include "plugins/plugin_set.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/dll/shared_library.hpp>
#include <cstdio>
#include <cstring>
#include <exception>
#include <system_error>

#include "plugins/host_api.hpp"
#include "plugins/registrar.hpp"

namespace fastqueue {

namespace fs = std::filesystem;

namespace {

// Size of the host-owned buffer a plugin's init may write its error into.
constexpr std::size_t kInitErrorBufferSize = 1024;

// ABI 2.0-and-later descriptors still start with struct_size, abi_major and
// abi_minor; reading those needs this many bytes.
constexpr std::size_t kDescriptorVersionPrefixSize =
    offsetof(fq_plugin_descriptor, abi_minor) + sizeof(std::uint16_t);

// Keeps a message from a plugin or the system loader on one line.
std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

std::string abi_version(unsigned major, unsigned minor) {
    return fmt::format("{}.{}", major, minor);
}

const std::string kRuntimeAbi = abi_version(FQ_PLUGIN_ABI_MAJOR, FQ_PLUGIN_ABI_MINOR);

}  // namespace

// One opened plugin file. Members are destroyed after the destructor body, so
// the plugin's shutdown runs before its code is unloaded.
struct PluginSet::Library {
    std::string path;         // absolute and normalised; what messages name
    fs::path canonical_path;  // symlinks resolved; identifies the file
    boost::dll::shared_library library;
    fq_plugin_descriptor descriptor{};  // zeroed, then min(struct_size, sizeof) copied in
    std::string name;
    std::string version;
    std::unique_ptr<fq_registrar> registrar;  // kept while loaded; see registrar.hpp
    bool needs_shutdown = false;              // true once init returned FQ_OK

    Library() = default;
    Library(const Library&) = delete;
    Library& operator=(const Library&) = delete;
    ~Library() {
        if (!needs_shutdown || descriptor.shutdown == nullptr) return;
        PluginLogScope log_scope(name);
        try {
            descriptor.shutdown();
        } catch (...) {
            // plugin.h forbids throwing; a plugin that does anyway must not
            // stop the others from being shut down.
            spdlog::error("plugin '{}' ({}) threw from shutdown", name, path);
        }
    }

    [[noreturn]] void refuse(const std::string& reason) const {
        throw PluginLoadError(path + ": " + reason);
    }

    // Opens the file and checks its descriptor; does not run init.
    static std::unique_ptr<Library> open(const fs::path& file);
    // Runs init with a fresh registrar. On success the accepted tasks are
    // returned and shutdown becomes due; on failure throws.
    std::vector<RegisteredTask> initialise();
};

std::unique_ptr<PluginSet::Library> PluginSet::Library::open(const fs::path& file) {
    auto lib = std::make_unique<Library>();
    lib->path = fs::absolute(file).lexically_normal().string();
    std::error_code canonical_ec;
    lib->canonical_path = fs::canonical(file, canonical_ec);
    if (canonical_ec) lib->canonical_path = lib->path;

    // rtld_now: a plugin with an unresolved symbol fails here, with the
    // loader's message, not later in the middle of a task.
    boost::dll::fs::error_code load_ec;
    lib->library.load(lib->canonical_path, boost::dll::load_mode::rtld_now, load_ec);
    if (load_ec || !lib->library.is_loaded()) {
        // Boost.DLL keeps the dlopen failure pending in dlerror() for the
        // error_code overload; it says far more than the error code.
        const char* loader_message = dlerror();
        std::string reason = loader_message != nullptr ? loader_message : load_ec.message();
        // dlerror() usually repeats the file's path, which the line already
        // starts with.
        const std::string path_prefix = lib->canonical_path.string() + ": ";
        if (reason.rfind(path_prefix, 0) == 0) reason.erase(0, path_prefix.size());
        lib->refuse("not a FastQueue plugin (cannot load: " + one_line(reason) + ")");
    }
    if (!lib->library.has(FQ_PLUGIN_ENTRY_SYMBOL)) {
        lib->refuse(std::string("not a FastQueue plugin (no ") + FQ_PLUGIN_ENTRY_SYMBOL +
                    " symbol)");
    }
    auto& entry = lib->library.get<const fq_plugin_descriptor*()>(FQ_PLUGIN_ENTRY_SYMBOL);
    const fq_plugin_descriptor* reported = nullptr;
    try {
        reported = entry();
    } catch (...) {
        lib->refuse("not a FastQueue plugin (its entry function threw an exception)");
    }
    if (reported == nullptr)
        lib->refuse("not a FastQueue plugin (its entry function returned NULL)");

    // The version fields sit at the same offsets in every ABI, so they are
    // checked before the rest of the layout is trusted.
    if (reported->struct_size < kDescriptorVersionPrefixSize) {
        lib->refuse(
            fmt::format("invalid plugin descriptor (struct_size {} is too small to hold "
                        "the ABI version)",
                        reported->struct_size));
    }
    const std::string plugin_abi = abi_version(reported->abi_major, reported->abi_minor);
    if (reported->abi_major != FQ_PLUGIN_ABI_MAJOR) {
        lib->refuse("plugin ABI " + plugin_abi + " is incompatible with runtime ABI " +
                    kRuntimeAbi + " (major must match)");
    }
    if (reported->abi_minor > FQ_PLUGIN_ABI_MINOR) {
        lib->refuse("plugin ABI " + plugin_abi + " is newer than runtime ABI " + kRuntimeAbi +
                    " (the plugin may call host functions this runtime lacks; upgrade "
                    "FastQueue or rebuild the plugin against this SDK)");
    }
    if (reported->struct_size < kDescriptorSizeAbi1_0) {
        lib->refuse(fmt::format(
            "invalid plugin descriptor (struct_size {} is smaller than {}, the ABI 1.0 size)",
            reported->struct_size, kDescriptorSizeAbi1_0));
    }
    std::memcpy(&lib->descriptor, reported,
                std::min<std::size_t>(reported->struct_size, sizeof lib->descriptor));

    const fq_plugin_descriptor& d = lib->descriptor;
    if (d.name == nullptr) lib->refuse("invalid plugin descriptor (name is NULL)");
    if (d.name[0] == '\0') lib->refuse("invalid plugin descriptor (name is empty)");
    if (d.version == nullptr) lib->refuse("invalid plugin descriptor (version is NULL)");
    if (d.init == nullptr) lib->refuse("invalid plugin descriptor (init is NULL)");
    lib->name = one_line(d.name);
    lib->version = one_line(d.version);
    return lib;
}

std::vector<RegisteredTask> PluginSet::Library::initialise() {
    registrar = std::make_unique<fq_registrar>(name, path);
    std::array<char, kInitErrorBufferSize> error{};
    int status = FQ_ERROR;
    {
        PluginLogScope log_scope(name);
        try {
            status = descriptor.init(&host_api(), registrar.get(), error.data(), error.size());
        } catch (const std::exception& e) {
            std::snprintf(error.data(), error.size(), "init threw an exception: %s", e.what());
            status = FQ_ERROR;
        } catch (...) {
            std::snprintf(error.data(), error.size(), "init threw an exception");
            status = FQ_ERROR;
        }
    }
    registrar->close();
    // The plugin may have filled the buffer without a terminator.
    error.back() = '\0';
    const std::string registration_error = registrar->first_error();

    if (status != FQ_OK) {
        std::string message =
            one_line(std::string(error.data(), strnlen(error.data(), error.size())));
        if (message.empty()) message = fmt::format("status {} and no message", status);
        if (!registration_error.empty()) message += "; " + registration_error;
        refuse("plugin '" + name + "' init failed: " + message);
    }
    needs_shutdown = true;
    // A refused registration fails the plugin even when its init ignored the
    // status: running with a task silently missing would surface much later
    // as "unknown task".
    if (!registration_error.empty()) refuse("plugin '" + name + "' " + registration_error);
    return registrar->take_tasks();
}

std::unique_ptr<PluginSet> PluginSet::load(const std::vector<std::string>& module_names,
                                           const std::vector<fs::path>& search_path) {
    // If anything below throws, destroying `set` shuts down and unloads every
    // plugin loaded so far.
    std::unique_ptr<PluginSet> set(new PluginSet());
    for (const auto& module_name : module_names) {
        const fs::path file = resolve_module(module_name, search_path);

        // The same file named twice (by name and by path, or in two flags) is
        // loaded once and the repeat ignored: the user asked for its tasks,
        // and they are there. Running its init a second time would only fail
        // with every task "already registered".
        std::error_code ec;
        const fs::path canonical = fs::canonical(file, ec);
        const auto same_file = std::find_if(
            set->libraries_.begin(), set->libraries_.end(),
            [&](const auto& loaded) { return !ec && loaded->canonical_path == canonical; });
        if (same_file != set->libraries_.end()) {
            spdlog::warn("plugin file {} is named more than once in --task-modules; loaded once",
                         (*same_file)->path);
            continue;
        }

        auto lib = Library::open(file);
        for (const auto& loaded : set->libraries_) {
            if (loaded->name == lib->name) {
                lib->refuse("plugin '" + lib->name + "' is already loaded from " + loaded->path);
            }
        }
        std::vector<RegisteredTask> tasks = lib->initialise();
        for (const auto& task : tasks) {
            if (const RegisteredTask* taken = set->registry_.find(task.name)) {
                lib->refuse("task '" + task.name + "' of plugin '" + lib->name +
                            "' is already registered by plugin '" + taken->plugin_name + "' (" +
                            taken->plugin_path + ")");
            }
        }

        LoadedPluginInfo info;
        info.name = lib->name;
        info.version = lib->version;
        info.path = lib->path;
        info.abi_major = lib->descriptor.abi_major;
        info.abi_minor = lib->descriptor.abi_minor;
        for (auto& task : tasks) {
            info.task_names.push_back(task.name);
            set->registry_.add(std::move(task));
        }
        spdlog::info("loaded plugin '{}' {} from {} (ABI {}.{}, {} task{})", info.name,
                     info.version, info.path, info.abi_major, info.abi_minor,
                     info.task_names.size(), info.task_names.size() == 1 ? "" : "s");
        set->registry_.add_plugin(std::move(info));
        set->libraries_.push_back(std::move(lib));
    }
    return set;
}

PluginSet::~PluginSet() {
    // Reverse load order: a plugin loaded later may rely on one loaded
    // earlier, never the other way round.
    while (!libraries_.empty()) libraries_.pop_back();
}

}  // namespace fastqueue

// journal.cpp -- Journal: open and replay, the pending batch, commit by sync
// mode, segment rollover, liveness and compaction.
#include "journal/journal.hpp"

#include <system_error>

namespace fastqueue {

JournalDamagedError::JournalDamagedError(std::filesystem::path file_path, std::uint64_t at,
                                         std::string what)
    : std::runtime_error(std::move(what)), file(std::move(file_path)), offset(at) {}

struct Journal::Impl {};

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Journal::~Journal() = default;

std::unique_ptr<Journal> Journal::open(const JournalOptions&, const ReplayFn&) {
    throw std::system_error(std::make_error_code(std::errc::function_not_supported),
                            "journal: not implemented yet");
}
JournalLocation Journal::append(std::initializer_list<std::string_view>) { return {}; }
bool Journal::has_pending() const { return false; }
std::error_code Journal::commit() { return {}; }
void Journal::sync_if_due() {}
std::optional<std::chrono::steady_clock::time_point> Journal::next_sync_due() const {
    return std::nullopt;
}
void Journal::release(JournalLocation) {}
void Journal::compact(const MovedFn&, std::uint64_t) {}
Journal::Stats Journal::stats() const { return {}; }

}  // namespace fastqueue

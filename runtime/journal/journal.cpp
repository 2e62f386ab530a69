// journal.cpp -- Journal: open and replay, the pending batch, commit by sync
// mode, segment rollover, liveness and compaction. The file formats are in
// journal_frame.hpp and journal_segment.hpp; the lock in journal_lock.hpp.
#include "journal/journal.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "journal/journal_frame.hpp"
#include "journal/journal_liveness.hpp"
#include "journal/journal_lock.hpp"
#include "journal/journal_segment.hpp"

namespace fastqueue {

using namespace journal;

JournalDamagedError::JournalDamagedError(std::filesystem::path file_path, std::uint64_t at,
                                         std::string what)
    : std::runtime_error(std::move(what)), file(std::move(file_path)), offset(at) {}

namespace {

// Frame offsets are kept as u32 (journal_liveness.hpp): a segment rolls over
// once it reaches segment_bytes, so it ends below segment_bytes plus one
// record, which these two bounds keep under 4 GiB.
constexpr std::uint64_t kMaxSegmentBytes = 2ull << 30;
constexpr std::uint64_t kMinSegmentBytes = 4096;
constexpr std::uint64_t kMaxSegmentFileBytes = 0xFFFFFFFFull;
// A batch buffer larger than this is given back after its commit.
constexpr std::size_t kKeptBatchCapacity = 16u << 20;

JournalDamagedError damaged(const std::filesystem::path& dir, const std::filesystem::path& file,
                            std::uint64_t offset, const std::string& reason) {
    return JournalDamagedError(file, offset,
                               "journal segment " + file.string() + " is damaged at byte " +
                                   std::to_string(offset) + " (" + reason +
                                   "); run `fastqueue journal check " + dir.string() +
                                   "` to see the damage and `fastqueue journal repair " +
                                   dir.string() + "` to keep every intact record");
}

void make_directory(const std::filesystem::path& dir) {
    if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw std::system_error(errno, std::system_category(),
                                "journal: cannot create " + dir.string());
    }
}

// Segments written under a temporary name by a process that died before
// renaming them hold nothing committed.
void remove_temporary_segments(const std::filesystem::path& dir) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().native();
        if (name.ends_with(kTemporarySuffix) &&
            parse_segment_file_name(name.substr(0, name.size() - kTemporarySuffix.size()))) {
            std::filesystem::remove(entry.path());
        }
    }
}

}  // namespace

struct Journal::Impl {
    struct Segment {
        std::filesystem::path file;
        std::uint64_t size = 0;  // bytes of whole frames, the header included
        SegmentLiveness liveness;
    };
    // Part of the batch bound for one segment (a batch spans two segments
    // when the current one fills up).
    struct PendingChunk {
        std::uint64_t segment;
        std::uint64_t offset;
        std::size_t begin, end;  // in batch
    };
    struct PendingRecord {
        JournalLocation at;
        bool is_released = false;
    };

    JournalOptions options;
    DirectoryLock lock;
    std::map<std::uint64_t, Segment> segments;  // every segment file, by number
    std::optional<SegmentFile> current;         // the newest segment, appended to
    bool needs_truncate = false;                // a failed commit could not cut the file back yet

    std::string batch;  // the pending frames, back to back
    std::vector<PendingChunk> chunks;
    std::vector<PendingRecord> pending;

    bool is_unsynced = false;  // written since the last fdatasync (interval; always after write())
    std::chrono::steady_clock::time_point last_sync = std::chrono::steady_clock::now();
    bool is_sync_failing = false;  // logged once per run of failures

    std::uint64_t disk_bytes = 0, live_bytes = 0, live_records = 0;

    explicit Impl(const JournalOptions& journal_options)
        : options(journal_options), lock(journal_options.dir) {}

    void replay_segments(const Journal::ReplayFn& replay);
    JournalLocation append(std::initializer_list<std::string_view> parts);
    // may_sync false: write() (see journal.hpp).
    std::error_code commit(bool may_sync = true);
    std::error_code write_batch(std::vector<SegmentFile>& retired, bool may_sync);
    void roll_back(std::uint64_t first_segment, std::uint64_t first_size,
                   std::vector<SegmentFile>& retired);
    void drop_batch();
    std::error_code sync_current();
    bool release(JournalLocation at);
    void remove_segment(std::map<std::uint64_t, Segment>::iterator segment);
    void compact(const Journal::MovedFn& moved, std::uint64_t budget_bytes);
};

void Journal::Impl::replay_segments(const Journal::ReplayFn& replay) {
    const auto files = list_segments(options.dir);
    for (std::size_t index = 0; index < files.size(); ++index) {
        const auto& [number, file] = files[index];
        const bool is_newest = index + 1 == files.size();
        const MappedFile mapped(file);
        const std::string_view bytes = mapped.bytes();
        if (const auto fault = check_segment_header(bytes)) {
            throw damaged(options.dir, file, 0, *fault);
        }
        if (bytes.size() > kMaxSegmentFileBytes) {
            throw damaged(options.dir, file, kMaxSegmentFileBytes,
                          "a segment is at most 4 GiB long");
        }
        Segment& segment = segments[number];
        segment.file = file;
        const std::uint64_t segment_number = number;  // a lambda cannot capture a binding
        const auto stop = scan_frames(
            bytes, kSegmentHeaderBytes, [&](std::string_view body, std::uint64_t offset) {
                const auto size = static_cast<std::uint32_t>(body.size());
                segment.liveness.add(static_cast<std::uint32_t>(offset), size);
                replay(body, JournalLocation{segment_number, offset, size});
            });
        if (stop.fault) {
            // Only the end of the newest segment can hold a write cut short
            // by a crash; a later intact frame means the damage is elsewhere.
            if (!is_newest || find_next_frame(bytes, stop.offset + 1)) {
                throw damaged(options.dir, file, stop.offset, describe(*stop.fault));
            }
            auto torn = SegmentFile::open(file, number, bytes.size());
            if (const auto error = torn.truncate(stop.offset)) {
                throw std::system_error(error,
                                        "journal: cannot cut off the torn end of " + file.string());
            }
            spdlog::warn(
                "journal: cut off a torn record at the end of {} at byte {}: {} bytes dropped "
                "({})",
                file.string(), stop.offset, bytes.size() - stop.offset, describe(*stop.fault));
        }
        segment.size = stop.offset;
        disk_bytes += segment.size;
        live_bytes += segment.liveness.live_bytes();
        live_records += segment.liveness.live_records();
    }
    if (segments.empty()) {
        current.emplace(SegmentFile::create(options.dir, 1));
        segments[1] = Segment{current->file(), current->size(), {}};
        disk_bytes += current->size();
    } else {
        const auto& [number, newest] = *segments.rbegin();
        current.emplace(SegmentFile::open(newest.file, number, newest.size));
    }
}

JournalLocation Journal::Impl::append(std::initializer_list<std::string_view> parts) {
    std::size_t size = 0;
    for (const auto part : parts) size += part.size();
    if (size == 0) throw std::invalid_argument("journal: a record cannot be empty");
    if (size > kMaxRecordBytes) {
        throw std::length_error("journal: a record is at most " + std::to_string(kMaxRecordBytes) +
                                " bytes");
    }
    std::uint64_t segment = current->number();
    std::uint64_t offset = current->size();
    if (!chunks.empty()) {
        segment = chunks.back().segment;
        offset = chunks.back().offset + (chunks.back().end - chunks.back().begin);
    }
    if (chunks.empty() || (offset > kSegmentHeaderBytes && offset >= options.segment_bytes)) {
        if (offset > kSegmentHeaderBytes && offset >= options.segment_bytes) {
            ++segment;
            offset = kSegmentHeaderBytes;
        }
        chunks.push_back({segment, offset, batch.size(), batch.size()});
    }
    const std::size_t header_at = batch.size();
    batch.append(kFrameHeaderBytes, '\0');
    Crc32c crc;
    for (const auto part : parts) {
        batch.append(part);
        crc.update(part);
    }
    encode_frame_header(batch.data() + header_at, static_cast<std::uint32_t>(size), crc.value());
    chunks.back().end = batch.size();
    const JournalLocation at{segment, offset, static_cast<std::uint32_t>(size)};
    pending.push_back({at, false});
    return at;
}

std::error_code Journal::Impl::sync_current() {
    auto error = current->sync();
    if (!error) {
        last_sync = std::chrono::steady_clock::now();
        is_unsynced = false;
    }
    return error;
}

// Writes each chunk into its segment, starting the next segment where a
// chunk belongs to it; the segments left behind go to `retired`, still open.
std::error_code Journal::Impl::write_batch(std::vector<SegmentFile>& retired, bool may_sync) {
    for (const auto& chunk : chunks) {
        if (chunk.segment != current->number()) {
            if (options.sync != JournalSync::never) {
                if (auto error = current->sync()) return error;
            }
            try {
                auto next = SegmentFile::create(options.dir, chunk.segment);
                retired.push_back(std::move(*current));
                current.emplace(std::move(next));
            } catch (const std::system_error& error) {
                return error.code();
            }
        }
        const iovec buffer{batch.data() + chunk.begin, chunk.end - chunk.begin};
        if (auto error = current->append({&buffer, 1})) return error;
    }
    switch (options.sync) {
        case JournalSync::always:
            if (!may_sync) {
                is_unsynced = true;
                return {};
            }
            return sync_current();
        case JournalSync::interval:
            is_unsynced = true;
            if (std::chrono::steady_clock::now() - last_sync >= options.sync_interval) {
                return sync_current();
            }
            return {};
        case JournalSync::never:
            return {};
    }
    return {};
}

// Undoes a failed commit: removes the segments it started and cuts the one it
// began in back to where it stood.
void Journal::Impl::roll_back(std::uint64_t first_segment, std::uint64_t first_size,
                              std::vector<SegmentFile>& retired) {
    bool is_removed = false;
    while (current->number() != first_segment && !retired.empty()) {
        // Emptied first, so that a file that cannot be removed replays nothing.
        current->truncate(kSegmentHeaderBytes);
        const auto file = current->file();
        current.emplace(std::move(retired.back()));
        retired.pop_back();
        std::error_code error;
        std::filesystem::remove(file, error);
        if (error) spdlog::warn("journal: cannot remove {}: {}", file.string(), error.message());
        is_removed = true;
    }
    if (is_removed) sync_directory(options.dir);
    needs_truncate = static_cast<bool>(current->truncate(first_size));
}

void Journal::Impl::drop_batch() {
    batch.clear();
    if (batch.capacity() > kKeptBatchCapacity) batch.shrink_to_fit();
    chunks.clear();
    pending.clear();
}

std::error_code Journal::Impl::commit(bool may_sync) {
    if (chunks.empty()) {
        // What write() left unsynced.
        if (may_sync && options.sync == JournalSync::always && is_unsynced) return sync_current();
        return {};
    }
    if (needs_truncate) {
        if (auto error = current->truncate_to_size()) {
            drop_batch();
            return error;
        }
        needs_truncate = false;
    }
    const std::uint64_t first_segment = current->number();
    const std::uint64_t first_size = current->size();
    std::vector<SegmentFile> retired;
    if (auto error = write_batch(retired, may_sync)) {
        roll_back(first_segment, first_size, retired);
        drop_batch();
        return error;
    }
    segments[first_segment].size = retired.empty() ? current->size() : retired.front().size();
    for (std::size_t index = 1; index < retired.size(); ++index) {
        segments[retired[index].number()] =
            Segment{retired[index].file(), retired[index].size(), {}};
    }
    if (!retired.empty()) {
        segments[current->number()] = Segment{current->file(), current->size(), {}};
    }
    disk_bytes += batch.size() + kSegmentHeaderBytes * retired.size();
    auto segment = segments.end();
    for (const auto& record : pending) {
        if (record.is_released) continue;
        if (segment == segments.end() || segment->first != record.at.segment) {
            segment = segments.find(record.at.segment);
        }
        segment->second.liveness.add(static_cast<std::uint32_t>(record.at.offset), record.at.size);
        live_bytes += kFrameHeaderBytes + record.at.size;
        ++live_records;
    }
    drop_batch();
    return {};
}

bool Journal::Impl::release(JournalLocation at) {
    const auto segment = segments.find(at.segment);
    if (segment != segments.end() && at.offset <= kMaxSegmentFileBytes) {
        std::uint32_t size = 0;
        if (segment->second.liveness.release(static_cast<std::uint32_t>(at.offset), size)) {
            live_bytes -= kFrameHeaderBytes + size;
            --live_records;
            return true;
        }
    }
    // A record of the pending batch: it is written, but dead from the start.
    const auto found = std::lower_bound(pending.begin(), pending.end(), at,
                                        [](const PendingRecord& record, JournalLocation wanted) {
                                            return std::pair(record.at.segment, record.at.offset) <
                                                   std::pair(wanted.segment, wanted.offset);
                                        });
    if (found != pending.end() && found->at.segment == at.segment &&
        found->at.offset == at.offset && !found->is_released) {
        found->is_released = true;
        return true;
    }
    return false;
}

void Journal::Impl::remove_segment(std::map<std::uint64_t, Segment>::iterator segment) {
    std::error_code error;
    std::filesystem::remove(segment->second.file, error);
    if (error) {
        spdlog::warn("journal: cannot remove {}: {}", segment->second.file.string(),
                     error.message());
        return;
    }
    disk_bytes -= segment->second.size;
    live_bytes -= segment->second.liveness.live_bytes();
    live_records -= segment->second.liveness.live_records();
    segments.erase(segment);
}

void Journal::Impl::compact(const Journal::MovedFn& moved, std::uint64_t budget_bytes) {
    if (!chunks.empty()) return;  // the owner's batch must not share compaction's fate
    bool is_removed = false;
    for (auto segment = segments.begin(); segment != segments.end();) {
        const auto next = std::next(segment);
        if (segment->first != current->number() && segment->second.liveness.live_records() == 0) {
            remove_segment(segment);
            is_removed = true;
        }
        segment = next;
    }
    if (is_removed) sync_directory(options.dir);

    // The closed segment with the lowest live fraction, if below one half.
    auto victim = segments.end();
    double lowest_fraction = 0.5;
    for (auto segment = segments.begin(); segment != segments.end(); ++segment) {
        const std::uint64_t payload = segment->second.size - kSegmentHeaderBytes;
        if (segment->first == current->number() || payload == 0) continue;
        const double fraction = static_cast<double>(segment->second.liveness.live_bytes()) /
                                static_cast<double>(payload);
        if (fraction < lowest_fraction) {
            lowest_fraction = fraction;
            victim = segment;
        }
    }
    if (victim == segments.end()) return;

    const std::uint64_t victim_number = victim->first;
    const MappedFile mapped(victim->second.file);
    const std::string_view bytes = mapped.bytes();
    struct Move {
        std::string_view body;
        JournalLocation from, to;
    };
    std::vector<Move> moves;
    std::uint64_t moved_bytes = 0;
    bool is_damaged = false;
    victim->second.liveness.for_each_live([&](SegmentLiveness::Record record) {
        if (!moves.empty() && moved_bytes + kFrameHeaderBytes + record.size > budget_bytes) {
            return false;
        }
        const auto frame =
            decode_frame(bytes.substr(std::min<std::size_t>(record.offset, bytes.size())));
        if (frame.fault || frame.body.size() != record.size) {
            spdlog::error("journal: compaction found {} at byte {} of {}; the segment is kept",
                          describe(frame.fault.value_or(FrameFault::bad_length)), record.offset,
                          victim->second.file.string());
            is_damaged = true;
            return false;
        }
        const JournalLocation from{victim_number, record.offset, record.size};
        moves.push_back({frame.body, from, append({frame.body})});
        moved_bytes += frame.frame_bytes();
        return true;
    });
    if (is_damaged) {
        drop_batch();
        return;
    }
    auto error = commit();
    // The copies must be durable before the originals can go, whatever the mode.
    if (!error && options.sync != JournalSync::always) error = sync_current();
    if (error) {
        spdlog::warn("journal: compaction could not write the live records of {}: {}",
                     victim->second.file.string(), error.message());
        for (const auto& move : moves) release(move.to);
        return;
    }
    for (const auto& move : moves) {
        moved(move.body, move.from, move.to);
        release(move.from);
    }
    const auto emptied = segments.find(victim_number);
    if (emptied != segments.end() && emptied->second.liveness.live_records() == 0) {
        remove_segment(emptied);
        sync_directory(options.dir);
    }
}

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Journal::~Journal() = default;

std::unique_ptr<Journal> Journal::open(const JournalOptions& options, const ReplayFn& replay) {
    if (options.dir.empty()) throw std::invalid_argument("journal: no directory given");
    if (options.segment_bytes < kMinSegmentBytes || options.segment_bytes > kMaxSegmentBytes) {
        throw std::invalid_argument("journal: segment_bytes must be between " +
                                    std::to_string(kMinSegmentBytes) + " and " +
                                    std::to_string(kMaxSegmentBytes));
    }
    if (options.sync == JournalSync::interval && options.sync_interval.count() <= 0) {
        throw std::invalid_argument("journal: sync_interval must be positive");
    }
    make_directory(options.dir);
    auto impl = std::make_unique<Impl>(options);
    remove_temporary_segments(options.dir);
    impl->replay_segments(replay);
    return std::unique_ptr<Journal>(new Journal(std::move(impl)));
}

JournalLocation Journal::append(std::initializer_list<std::string_view> parts) {
    return impl_->append(parts);
}

bool Journal::has_pending() const { return !impl_->chunks.empty(); }

std::error_code Journal::commit() { return impl_->commit(); }

std::error_code Journal::write() { return impl_->commit(/*may_sync=*/false); }

bool Journal::has_unsynced() const {
    return impl_->options.sync == JournalSync::always && impl_->is_unsynced;
}

void Journal::sync_if_due() {
    Impl& impl = *impl_;
    if (impl.options.sync != JournalSync::interval || !impl.is_unsynced) return;
    if (std::chrono::steady_clock::now() - impl.last_sync < impl.options.sync_interval) return;
    if (const auto error = impl.sync_current()) {
        if (!impl.is_sync_failing) {
            spdlog::error("journal: cannot sync {}: {}", impl.current->file().string(),
                          error.message());
        }
        impl.is_sync_failing = true;
        return;
    }
    impl.is_sync_failing = false;
}

std::optional<std::chrono::steady_clock::time_point> Journal::next_sync_due() const {
    if (impl_->options.sync != JournalSync::interval || !impl_->is_unsynced) return std::nullopt;
    return impl_->last_sync + impl_->options.sync_interval;
}

void Journal::release(JournalLocation at) { impl_->release(at); }

void Journal::compact(const MovedFn& moved, std::uint64_t budget_bytes) {
    impl_->compact(moved, budget_bytes);
}

Journal::Stats Journal::stats() const {
    return {impl_->segments.size(), impl_->disk_bytes, impl_->live_bytes, impl_->live_records};
}

}  // namespace fastqueue

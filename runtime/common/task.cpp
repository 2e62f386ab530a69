// task.cpp -- names of priorities and task states, and the one timestamp
// format FastQueue writes everywhere (records, the wire, the CLI): UTC,
// ISO-8601, exactly six fractional digits and a trailing 'Z'.
//
// parse_timestamp accepts only that exact shape, so that a timestamp read
// from the network either round-trips exactly or is rejected.
#include "fastqueue/task.hpp"

#include <array>
#include <cstdio>

namespace fastqueue {

namespace {

constexpr std::array<std::string_view, kPriorityCount> kPriorityNames = {"critical", "high",
                                                                         "normal", "low"};
constexpr std::array<std::string_view, 6> kStateNames = {"queued",  "running",   "success",
                                                         "failure", "cancelled", "scheduled"};

// "YYYY-MM-DDTHH:MM:SS.ffffffZ"
constexpr std::size_t kTimestampChars = 27;

// Reads `count` decimal digits starting at `pos`; -1 if any is not a digit.
int read_digits(std::string_view text, std::size_t pos, std::size_t count) {
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        char c = text[i];
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

}  // namespace

std::string_view to_string(Priority priority) {
    auto index = static_cast<std::size_t>(priority);
    return index < kPriorityNames.size() ? kPriorityNames[index] : std::string_view("unknown");
}

std::string_view to_string(TaskState state) {
    auto index = static_cast<std::size_t>(state);
    return index < kStateNames.size() ? kStateNames[index] : std::string_view("unknown");
}

std::optional<Priority> parse_priority(std::string_view text) {
    for (std::size_t i = 0; i < kPriorityNames.size(); ++i) {
        if (kPriorityNames[i] == text) return static_cast<Priority>(i);
    }
    return std::nullopt;
}

std::optional<TaskState> parse_task_state(std::string_view text) {
    for (std::size_t i = 0; i < kStateNames.size(); ++i) {
        if (kStateNames[i] == text) return static_cast<TaskState>(i);
    }
    return std::nullopt;
}

bool is_finished(TaskState state) {
    return state == TaskState::success || state == TaskState::failure ||
           state == TaskState::cancelled;
}

std::string format_timestamp(Timestamp at) {
    using namespace std::chrono;
    if (at == Timestamp{}) return "";
    // Truncate towards the past so that a formatted time never lies in the
    // future of the real one, also before 1970.
    auto micros = floor<microseconds>(at);
    auto days = floor<std::chrono::days>(micros);
    year_month_day date{days};
    hh_mm_ss<microseconds> time{micros - days};
    const int year = static_cast<int>(date.year());
    if (year < 0 || year > 9999) {
        // Outside what 4 digits hold; never a time a task was seen at.
        char text[48];
        std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02lld.%06lldZ", year,
                      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                      static_cast<int>(time.hours().count()),
                      static_cast<int>(time.minutes().count()),
                      static_cast<long long>(time.seconds().count()),
                      static_cast<long long>(time.subseconds().count()));
        return text;
    }
    // Written digit by digit: this runs several times per finished task.
    std::string text = "0000-00-00T00:00:00.000000Z";
    const auto put = [&text](std::size_t at, std::size_t width, long long value) {
        for (std::size_t i = width; i-- > 0; value /= 10)
            text[at + i] = static_cast<char>('0' + value % 10);
    };
    put(0, 4, year);
    put(5, 2, static_cast<unsigned>(date.month()));
    put(8, 2, static_cast<unsigned>(date.day()));
    put(11, 2, time.hours().count());
    put(14, 2, time.minutes().count());
    put(17, 2, time.seconds().count());
    put(20, 6, time.subseconds().count());
    return text;
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
    using namespace std::chrono;
    if (text.empty()) return Timestamp{};
    if (text.size() != kTimestampChars) return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
        text[19] != '.' || text[26] != 'Z') {
        return std::nullopt;
    }
    int year_value = read_digits(text, 0, 4);
    int month_value = read_digits(text, 5, 2);
    int day_value = read_digits(text, 8, 2);
    int hour = read_digits(text, 11, 2);
    int minute = read_digits(text, 14, 2);
    int second = read_digits(text, 17, 2);
    int micro = read_digits(text, 20, 6);
    if (year_value < 0 || month_value < 0 || day_value < 0 || hour < 0 || minute < 0 ||
        second < 0 || micro < 0) {
        return std::nullopt;
    }
    // No leap seconds: format_timestamp never writes second 60.
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    year_month_day date{year{year_value}, month{static_cast<unsigned>(month_value)},
                        day{static_cast<unsigned>(day_value)}};
    if (!date.ok()) return std::nullopt;
    auto at =
        sys_days{date} + hours{hour} + minutes{minute} + seconds{second} + microseconds{micro};
    // A Timestamp holds nanoseconds in 64 bits (years 1677..2262); converting
    // a time outside that range would overflow, so it is refused instead.
    if (at < ceil<microseconds>(Timestamp::min()) || at > floor<microseconds>(Timestamp::max())) {
        return std::nullopt;
    }
    return time_point_cast<Clock::duration>(at);
}

}  // namespace fastqueue

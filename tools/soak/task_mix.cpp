// task_mix.cpp -- see task_mix.hpp. Results are compared as parsed JSON, not
// as text, so that the check does not depend on how the plugin formats
// numbers.
#include "task_mix.hpp"

#include <nlohmann/json.hpp>

#include "fastqueue/client.hpp"

namespace fastqueue::soak {

namespace {

enum class Kind { echo, add, sleep, fail };

constexpr std::int64_t kAddend = 7;

Kind kind_of(std::uint64_t index, const SoakOptions& options) {
    if (options.sleep_every > 0 && index % options.sleep_every == 0) return Kind::sleep;
    if (options.fail_every > 0 && index % options.fail_every == 1) return Kind::fail;
    return index % 2 == 0 ? Kind::add : Kind::echo;
}

std::string echo_text(std::uint64_t index) { return "soak-" + std::to_string(index); }
std::string fail_message(std::uint64_t index) { return "soak-fail-" + std::to_string(index); }

std::string payload_of(const nlohmann::json& args) {
    return Client::make_payload(args.dump(), "{}");
}

// --kill-control-plane: fq_test_journal's journal.trace, which appends the
// task number to the trace file on every run, sleeps for the sleep tasks and
// fails for the fail tasks; it returns the number as a string.
SoakTask make_traced_task(std::uint64_t index, const SoakOptions& options) {
    const Kind kind = kind_of(index, options);
    const double seconds = kind == Kind::sleep ? options.sleep_seconds : 0.0;
    const std::string error = kind == Kind::fail ? fail_message(index) : std::string();
    return {kTracedTaskName, payload_of(nlohmann::json::array(
                                 {options.trace_path, std::to_string(index), seconds, error}))};
}

bool is_traced_result(std::uint64_t index, const nlohmann::json& result) {
    return result.is_string() && result.get<std::string>() == std::to_string(index);
}

}  // namespace

SoakTask make_task(std::uint64_t index, const SoakOptions& options) {
    if (options.is_killing_control_plane) return make_traced_task(index, options);
    switch (kind_of(index, options)) {
        case Kind::sleep:
            return {"sleep", payload_of(nlohmann::json::array({options.sleep_seconds}))};
        case Kind::fail:
            return {"fail", payload_of(nlohmann::json::array({fail_message(index)}))};
        case Kind::add:
            return {"add",
                    payload_of(nlohmann::json::array({static_cast<std::int64_t>(index), kAddend}))};
        case Kind::echo:
            break;
    }
    return {"echo", payload_of(nlohmann::json::array({echo_text(index)}))};
}

Verdict judge(std::uint64_t index, const SoakOptions& options, const TaskRecord& record) {
    if (record.state == TaskState::failure && record.error == "worker lost") {
        return Verdict::worker_lost;
    }
    const Kind kind = kind_of(index, options);
    if (kind == Kind::fail) {
        const bool is_expected =
            record.state == TaskState::failure && record.error == fail_message(index);
        return is_expected ? Verdict::correct : Verdict::wrong;
    }
    if (record.state != TaskState::success) return Verdict::wrong;
    const auto result = nlohmann::json::parse(record.result, nullptr, /*allow_exceptions=*/false);
    if (result.is_discarded()) return Verdict::wrong;
    if (options.is_killing_control_plane) {
        return is_traced_result(index, result) ? Verdict::correct : Verdict::wrong;
    }
    bool is_expected = false;
    switch (kind) {
        case Kind::sleep:
            is_expected = result.is_number() && result.get<double>() == options.sleep_seconds;
            break;
        case Kind::add:
            is_expected = result.is_number_integer() &&
                          result.get<std::int64_t>() == static_cast<std::int64_t>(index) + kAddend;
            break;
        case Kind::echo:
            is_expected = result.is_string() && result.get<std::string>() == echo_text(index);
            break;
        case Kind::fail:
            break;
    }
    return is_expected ? Verdict::correct : Verdict::wrong;
}

}  // namespace fastqueue::soak

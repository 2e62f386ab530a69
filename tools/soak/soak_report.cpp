// soak_report.cpp -- the text report and the JSON object. Memory is in bytes
// in JSON and MiB in text.
#include "soak_report.hpp"

#include <cstdio>
#include <sstream>

namespace fastqueue::soak {

namespace {

std::string mebibytes(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

double tasks_per_second(const SoakResult& result) {
    return result.elapsed_seconds > 0
               ? static_cast<double>(result.finished()) / result.elapsed_seconds
               : 0;
}

const char* verdict_of(const SoakResult& result) {
    switch (exit_code_of(result)) {
        case kExitClean:
            return "pass";
        case kExitStoppedByTime:
            return "incomplete";
        default:
            return "fail";
    }
}

}  // namespace

int exit_code_of(const SoakResult& result) {
    if (!result.is_clean()) return kExitFailed;
    return result.is_stopped_by_time || result.is_short_of_kills() ? kExitStoppedByTime
                                                                   : kExitClean;
}

nlohmann::json to_json(const SoakOptions& options, const SoakResult& result) {
    nlohmann::json json;
    json["verdict"] = verdict_of(result);
    json["config"] = {{"tasks", options.task_count},
                      {"in_flight", options.in_flight},
                      {"sleep_every", options.sleep_every},
                      {"sleep_seconds", options.sleep_seconds},
                      {"fail_every", options.fail_every},
                      {"kill_interval_seconds", options.kill_interval_seconds},
                      {"restart_delay_seconds", options.restart_delay_seconds},
                      {"max_seconds", options.max_seconds},
                      {"drain_seconds", options.drain_seconds},
                      {"max_queued", options.max_queued},
                      {"result_cache_size", options.result_cache_size},
                      {"heartbeat_interval_seconds", options.heartbeat_interval_seconds},
                      {"heartbeat_liveness", options.heartbeat_liveness},
                      {"max_worker_losses", options.max_worker_losses},
                      {"kill_control_plane", options.is_killing_control_plane},
                      {"control_plane_kills", options.control_plane_kills},
                      {"journal_dir", options.cluster.journal_dir},
                      {"journal_fsync", options.cluster.journal_fsync}};
    json["sent"] = result.sent;
    json["accepted"] = result.accepted;
    json["refused"] = result.refused_busy + result.refused_other;
    json["refused_busy"] = result.refused_busy;
    json["refused_other"] = result.refused_other;
    json["unanswered"] = result.unanswered;
    json["submitted"] = result.accepted;
    json["succeeded"] = result.succeeded;
    json["failed"] = result.failed;
    json["failed_as_expected"] = result.failed_as_expected;
    json["worker_lost"] = result.worker_lost;
    json["ran_more_than_once"] = result.ran_more_than_once;
    json["max_attempts"] = result.max_attempts;
    json["wrong"] = result.wrong;
    json["lost"] = result.lost;
    json["not_found_then_found"] = result.not_found_then_found;
    json["evicted_before_read"] = result.evicted_before_read;
    json["query_errors"] = result.query_errors;
    json["kills"] = result.kills;
    json["restarts"] = result.restarts;
    json["stopped_by_time"] = result.is_stopped_by_time;
    if (options.is_killing_control_plane) {
        const RunCounts& runs = result.runs;
        json["control_plane"] = {{"kills_requested", result.control_plane_kills_requested},
                                 {"short_of_kills", result.is_short_of_kills()},
                                 {"max_down_seconds", result.max_control_plane_down_seconds},
                                 {"kill_seconds", result.kill_seconds},
                                 {"journal_dir", result.journal_dir},
                                 {"run_dir", result.run_dir},
                                 {"run_dir_kept", result.is_run_dir_kept}};
        json["runs"] = {{"traced", runs.traced_runs},
                        {"malformed_lines", runs.malformed_lines},
                        {"ran_more_than_once", runs.ran_more_than_once},
                        {"ran_again_after_kill", runs.ran_again_after_kill},
                        {"ran_again_counted", runs.ran_again_counted},
                        {"ran_again_unexplained", runs.ran_again_unexplained},
                        {"runs_beyond_attempts", runs.runs_beyond_attempts},
                        {"finished_without_run", runs.finished_without_run},
                        {"unacknowledged_runs", runs.unacknowledged_runs},
                        {"max_runs", runs.max_runs}};
    }
    json["elapsed_seconds"] = result.elapsed_seconds;
    json["tasks_per_second"] = tasks_per_second(result);
    json["control_plane_rss_bytes"] = {{"samples", result.rss_samples},
                                       {"first", result.rss_first_bytes},
                                       {"max", result.rss_max_bytes},
                                       {"last", result.rss_last_bytes},
                                       {"first_third_max", result.rss_first_third_max_bytes},
                                       {"last_third_max", result.rss_last_third_max_bytes}};
    nlohmann::json peak = nlohmann::json::object();
    for (const auto& process : result.processes) peak[process.name] = process.peak_rss_bytes;
    json["peak_rss_bytes"] = peak;
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& problem : result.problems) {
        problems.push_back({{"index", problem.index},
                            {"task_id", problem.task_id},
                            {"task_name", problem.task_name},
                            {"what", problem.what}});
    }
    json["problems"] = problems;
    json["tool_errors"] = result.tool_errors;
    json["log_dir"] = result.log_dir;
    return json;
}

std::string to_text(const SoakOptions& options, const SoakResult& result) {
    std::ostringstream out;
    out << "fastqueue-soak: " << options.task_count << " tasks, " << options.in_flight
        << " in flight, ";
    if (options.is_killing_control_plane) {
        out << options.control_plane_kills << " kills of the control plane about every "
            << options.kill_interval_seconds << " s, journal " << result.journal_dir << "\n";
    } else if (options.kill_interval_seconds > 0) {
        out << "a subworker killed every " << options.kill_interval_seconds << " s\n";
    } else {
        out << "no kills\n";
    }
    out << "  sent                " << result.sent << " = accepted " << result.accepted
        << " + refused " << result.refused_busy + result.refused_other << " (busy "
        << result.refused_busy << ", other " << result.refused_other << ") + unanswered "
        << result.unanswered << "\n";
    out << "  submitted           " << result.accepted << "\n";
    out << "  succeeded           " << result.succeeded << "\n";
    out << "  failed              " << result.failed << " (as the task says "
        << result.failed_as_expected << ", worker lost " << result.worker_lost << ")\n";
    out << "  ran more than once  " << result.ran_more_than_once << " (attempts up to "
        << result.max_attempts << ")\n";
    out << "  lost                " << result.lost << "\n";
    out << "  wrong               " << result.wrong << "\n";
    if (result.evicted_before_read > 0) {
        out << "  evicted before read " << result.evicted_before_read << " (not checked)\n";
    }
    if (result.not_found_then_found > 0) {
        out << "  not found, then found " << result.not_found_then_found << "\n";
    }
    out << "  kills               " << result.kills << " (restarts " << result.restarts << ")\n";
    if (options.is_killing_control_plane) {
        const RunCounts& runs = result.runs;
        char down[32];
        std::snprintf(down, sizeof(down), "%.2f s", result.max_control_plane_down_seconds);
        out << "  control plane       " << result.kills << " of "
            << result.control_plane_kills_requested << " kills; down at most " << down
            << " from a kill until it answered\n";
        out << "  runs traced         " << runs.traced_runs << " (up to " << runs.max_runs
            << " per task; " << runs.unacknowledged_runs << " tasks never acknowledged ran)\n";
        out << "  ran more than once  " << runs.ran_more_than_once
            << " by the trace: in flight at a kill " << runs.ran_again_after_kill
            << ", later but counted in attempts " << runs.ran_again_counted << ", unexplained "
            << runs.ran_again_unexplained << "\n";
        out << "  runs > attempts     " << runs.runs_beyond_attempts << "\n";
        out << "  finished, no run    " << runs.finished_without_run << "\n";
        if (runs.malformed_lines > 0) {
            out << "  malformed trace     " << runs.malformed_lines << " lines\n";
        }
        out << "  journal and trace   " << result.run_dir
            << (result.is_run_dir_kept ? " (kept)" : " (removed)") << "\n";
    }
    char rate[64];
    std::snprintf(rate, sizeof(rate), "%.1f s, %.0f tasks/s", result.elapsed_seconds,
                  tasks_per_second(result));
    out << "  elapsed             " << rate
        << (result.is_stopped_by_time ? " (stopped by --max-seconds)" : "") << "\n";
    out << "  control plane RSS   first " << mebibytes(result.rss_first_bytes) << ", max "
        << mebibytes(result.rss_max_bytes) << ", last " << mebibytes(result.rss_last_bytes)
        << "; highest in the first third " << mebibytes(result.rss_first_third_max_bytes)
        << ", in the last third " << mebibytes(result.rss_last_third_max_bytes) << " ("
        << result.rss_samples << " samples)\n";
    out << "  peak RSS (VmHWM)   ";
    for (const auto& process : result.processes) {
        out << " " << process.name << " " << mebibytes(process.peak_rss_bytes);
    }
    out << "\n";
    if (result.query_errors > 0) {
        out << "  unanswered queries  " << result.query_errors << " (asked again)\n";
    }
    for (const auto& problem : result.problems) {
        out << "  problem: task " << problem.index << " " << problem.task_name << " "
            << problem.task_id << ": " << problem.what << "\n";
    }
    for (const auto& error : result.tool_errors) out << "  tool error: " << error << "\n";
    out << "  logs                " << result.log_dir << "\n";
    out << "verdict: " << verdict_of(result) << "\n";
    return out.str();
}

}  // namespace fastqueue::soak

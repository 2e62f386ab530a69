// report.cpp -- the table and the JSON object. Latencies are reported in
// microseconds, rates per second, memory in bytes (JSON) or MiB (table).
#include "report.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace fastqueue::bench {

namespace {

double microseconds(std::uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1000.0; }

double ratio(double value, double reference) { return reference > 0 ? value / reference : 0; }

nlohmann::json latency_json(const LatencySummary& latency) {
    return {{"p50", microseconds(latency.p50_ns)},
            {"p90", microseconds(latency.p90_ns)},
            {"p99", microseconds(latency.p99_ns)},
            {"p999", microseconds(latency.p999_ns)},
            {"max", microseconds(latency.max_ns)}};
}

nlohmann::json measurement_json(const RunMeasurement& measurement) {
    return {{"completed", measurement.completed},
            {"elapsed_seconds", measurement.elapsed_seconds},
            {"tasks_per_second", measurement.tasks_per_second()},
            {"bytes_per_second", measurement.bytes_per_second()},
            {"latency_us", latency_json(measurement.latency)}};
}

nlohmann::json outcome_json(const PipelineOutcome& outcome) {
    nlohmann::json json = measurement_json(outcome.measurement);
    json["requested"] = outcome.requested;
    json["wrong"] = outcome.wrong;
    json["duplicates"] = outcome.duplicates;
    json["refused"] = outcome.refused;
    json["unreadable"] = outcome.unreadable;
    json["missing"] = outcome.missing;
    json["valid"] = outcome.is_valid();
    return json;
}

std::string format(const char* pattern, double value) {
    char text[64];
    std::snprintf(text, sizeof(text), pattern, value);
    return text;
}

// The wire shape this run's FastQueue figures are compared with, if measured.
const WireShapeMeasurement* reference_shape(const BenchReport& report) {
    if (!report.baseline) return nullptr;
    const std::string name = reference_shape_name(report.options);
    for (const WireShapeMeasurement& shape : report.baseline->wire_shapes) {
        if (shape.name == name) return &shape;
    }
    return nullptr;
}

}  // namespace

bool BenchReport::is_valid() const {
    if (warmup && !warmup->is_valid()) return false;
    if (!fastqueue.is_valid()) return false;
    return !baseline || baseline->is_valid();
}

std::string BenchReport::problems() const {
    std::string text = fastqueue.problems();
    auto add = [&](const std::string& what, const std::string& problem) {
        if (problem.empty()) return;
        text += (text.empty() ? "" : "; ") + what + ": " + problem;
    };
    if (warmup) add("warm-up", warmup->problems());
    if (baseline) {
        if (baseline->pipelined_warmup) {
            add("pipelined baseline warm-up", baseline->pipelined_warmup->problems());
        }
        add("pipelined baseline", baseline->pipelined.problems());
        if (baseline->request_reply.completed == 0) add("req/rep baseline", "no answer");
        for (const WireShapeMeasurement& shape : baseline->wire_shapes) {
            add("wire shape " + shape.name, shape.messages.problems());
        }
    }
    return text;
}

std::string read_load_average() {
    std::ifstream file("/proc/loadavg");
    std::string one, five, fifteen;
    file >> one >> five >> fifteen;
    return file ? one + " " + five + " " + fifteen : "";
}

nlohmann::json to_json(const BenchReport& report) {
    const BenchOptions& options = report.options;
    nlohmann::json json;
    json["valid"] = report.is_valid();
    json["config"] = {{"task", options.task_name},
                      {"tasks", options.task_count},
                      {"warmup_tasks", options.warmup_task_count},
                      {"payload_bytes", options.payload_bytes},
                      {"in_flight", options.in_flight},
                      {"ack_only", options.is_ack_only},
                      {"returns_input", options.is_returning_input},
                      {"priority", std::string(to_string(options.priority))},
                      {"spawned", options.is_spawning},
                      {"subworkers", options.cluster.subworker_count},
                      {"idle_subworkers", options.cluster.idle_subworker_count},
                      {"journal_dir", options.cluster.journal_dir},
                      {"journal_fsync", options.cluster.journal_fsync},
                      {"control_plane_address", report.control_plane_address}};
    if (report.warmup) json["warmup"] = outcome_json(*report.warmup);
    json["fastqueue"] = outcome_json(report.fastqueue);
    nlohmann::json peak_rss = nlohmann::json::object();
    for (const auto& process : report.processes) peak_rss[process.name] = process.peak_rss_bytes;
    json["peak_rss_bytes"] = peak_rss;
    // CPU per process during the load, and per task answered.
    nlohmann::json cpu_seconds = nlohmann::json::object();
    nlohmann::json cpu_per_task = nlohmann::json::object();
    const double answered = static_cast<double>(report.fastqueue.measurement.completed);
    double total_seconds = 0;
    for (const auto& process : report.load_cpu) {
        cpu_seconds[process.name] = process.seconds;
        if (answered > 0) cpu_per_task[process.name] = process.seconds * 1e6 / answered;
        total_seconds += process.seconds;
    }
    if (answered > 0) cpu_per_task["total"] = total_seconds * 1e6 / answered;
    json["load_cpu_seconds"] = cpu_seconds;
    json["load_cpu_us_per_task"] = cpu_per_task;
    json["load_average"] = report.load_average;
    if (report.baseline) {
        const RunMeasurement& fq = report.fastqueue.measurement;
        const RunMeasurement& pipelined = report.baseline->pipelined.measurement;
        const RunMeasurement& request_reply = report.baseline->request_reply;
        json["baseline"] = {{"pipelined", outcome_json(report.baseline->pipelined)},
                            {"req_rep", measurement_json(request_reply)}};
        if (report.baseline->pipelined_warmup) {
            json["baseline"]["pipelined_warmup"] = outcome_json(*report.baseline->pipelined_warmup);
        }
        if (pipelined.completed > 0) {
            json["baseline"]["pipelined"]["cpu_us_per_round_trip"] =
                report.baseline->pipelined_cpu_seconds * 1e6 /
                static_cast<double>(pipelined.completed);
        }
        nlohmann::json shapes = nlohmann::json::array();
        for (const WireShapeMeasurement& shape : report.baseline->wire_shapes) {
            shapes.push_back({{"name", shape.name},
                              {"description", shape.description},
                              {"tasks_per_message", shape.tasks_per_message},
                              {"tasks_per_second", shape.tasks_per_second()},
                              {"cpu_us_per_task", shape.cpu_us_per_task()},
                              {"ratio_to_pipelined",
                               ratio(shape.tasks_per_second(), pipelined.tasks_per_second())},
                              {"latency_us", latency_json(shape.messages.measurement.latency)},
                              {"valid", shape.messages.is_valid()}});
        }
        json["baseline"]["wire_shapes"] = shapes;
        json["ratios"] = {
            {"tasks_per_second", ratio(fq.tasks_per_second(), pipelined.tasks_per_second())},
            {"bytes_per_second", ratio(fq.bytes_per_second(), pipelined.bytes_per_second())},
            {"p50", ratio(fq.latency.p50_ns, pipelined.latency.p50_ns)},
            {"p90", ratio(fq.latency.p90_ns, pipelined.latency.p90_ns)},
            {"p99", ratio(fq.latency.p99_ns, pipelined.latency.p99_ns)},
            {"p999", ratio(fq.latency.p999_ns, pipelined.latency.p999_ns)},
            {"max", ratio(fq.latency.max_ns, pipelined.latency.max_ns)},
            {"p50_vs_req_rep_p50", ratio(fq.latency.p50_ns, request_reply.latency.p50_ns)}};
        if (const WireShapeMeasurement* shape = reference_shape(report)) {
            json["ratios"]["wire_shape"] = shape->name;
            json["ratios"]["tasks_per_second_vs_wire_shape"] =
                ratio(fq.tasks_per_second(), shape->tasks_per_second());
        }
    }
    return json;
}

std::string to_table(const BenchReport& report) {
    const BenchOptions& options = report.options;
    std::ostringstream out;
    out << "fastqueue-bench: " << options.task_count << " x " << options.task_name << ", "
        << options.payload_bytes << " B, " << options.in_flight << " in flight, "
        << to_string(options.priority) << (options.is_ack_only ? ", until ACK" : "")
        << (options.is_returning_input ? ", task returns its input" : "") << ", "
        << (options.is_spawning
                ? "spawned control plane + " + std::to_string(options.cluster.subworker_count) +
                      " subworkers" +
                      (options.cluster.idle_subworker_count > 0
                           ? " + " + std::to_string(options.cluster.idle_subworker_count) + " idle"
                           : std::string()) +
                      (options.cluster.journal_dir.empty()
                           ? std::string()
                           : ", journal " + options.cluster.journal_dir +
                                 (options.cluster.journal_fsync.empty()
                                      ? std::string()
                                      : " (fsync " + options.cluster.journal_fsync + ")"))
                : "control plane at " + report.control_plane_address)
        << ", load average " << report.load_average << "\n";
    if (report.warmup) {
        out << "  after " << report.warmup->measurement.completed << " of "
            << options.warmup_task_count << " warm-up tasks answered correctly (not measured)\n";
    }
    out << "\n";

    const RunMeasurement& fq = report.fastqueue.measurement;
    const RunMeasurement* pipelined =
        report.baseline ? &report.baseline->pipelined.measurement : nullptr;
    auto row = [&](const std::string& label, double value, double reference, const char* pattern) {
        out << "  " << label;
        out << std::string(label.size() < 18 ? 18 - label.size() : 1, ' ');
        out << format(pattern, value);
        if (pipelined) {
            out << format(pattern, reference) << format("%9.2f", ratio(value, reference));
        }
        out << "\n";
    };
    out << "  figure                 fastqueue";
    if (pipelined) out << "      baseline    ratio";
    out << "\n";
    row("tasks/s", fq.tasks_per_second(), pipelined ? pipelined->tasks_per_second() : 0, "%14.0f");
    row("MB/s", fq.bytes_per_second() / 1e6, pipelined ? pipelined->bytes_per_second() / 1e6 : 0,
        "%14.2f");
    const LatencySummary none;
    const LatencySummary& base = pipelined ? pipelined->latency : none;
    row("p50 us", microseconds(fq.latency.p50_ns), microseconds(base.p50_ns), "%14.1f");
    row("p90 us", microseconds(fq.latency.p90_ns), microseconds(base.p90_ns), "%14.1f");
    row("p99 us", microseconds(fq.latency.p99_ns), microseconds(base.p99_ns), "%14.1f");
    row("p99.9 us", microseconds(fq.latency.p999_ns), microseconds(base.p999_ns), "%14.1f");
    row("max us", microseconds(fq.latency.max_ns), microseconds(base.max_ns), "%14.1f");
    if (report.baseline) {
        const RunMeasurement& request_reply = report.baseline->request_reply;
        out << "\n  req/rep baseline (1 in flight): p50 "
            << format("%.1f", microseconds(request_reply.latency.p50_ns)) << " us, p99 "
            << format("%.1f", microseconds(request_reply.latency.p99_ns))
            << " us; fastqueue p50 / req/rep p50 = "
            << format("%.2f", ratio(fq.latency.p50_ns, request_reply.latency.p50_ns)) << "\n";
        out << "\n  wire shapes (ZeroMQ alone, no processing; tasks/s, ratio to the pipelined "
               "baseline, CPU per task):\n";
        for (const WireShapeMeasurement& shape : report.baseline->wire_shapes) {
            out << "    " << shape.name
                << std::string(shape.name.size() < 14 ? 14 - shape.name.size() : 1, ' ')
                << format("%10.0f", shape.tasks_per_second())
                << format("%8.2f", ratio(shape.tasks_per_second(), pipelined->tasks_per_second()))
                << format("%8.1f us", shape.cpu_us_per_task()) << "  " << shape.description
                << (shape.messages.is_valid() ? "" : "  INVALID: " + shape.messages.problems())
                << "\n";
        }
        if (const WireShapeMeasurement* shape = reference_shape(report)) {
            out << "  fastqueue tasks/s / " << shape->name << " shape tasks/s = "
                << format("%.2f", ratio(fq.tasks_per_second(), shape->tasks_per_second())) << "\n";
        }
    }
    if (!report.processes.empty()) {
        out << "\n  peak RSS (VmHWM):";
        for (const auto& process : report.processes) {
            out << " " << process.name << " "
                << format("%.1f", static_cast<double>(process.peak_rss_bytes) / (1024.0 * 1024.0))
                << " MiB";
        }
        out << "\n";
    }
    if (!report.load_cpu.empty() && report.fastqueue.measurement.completed > 0) {
        const double answered = static_cast<double>(report.fastqueue.measurement.completed);
        double total_seconds = 0;
        out << "\n  CPU per task during the load:";
        for (const auto& process : report.load_cpu) {
            out << " " << process.name << " " << format("%.1f", process.seconds * 1e6 / answered)
                << " us";
            total_seconds += process.seconds;
        }
        out << "; total " << format("%.1f", total_seconds * 1e6 / answered) << " us";
        const auto baseline_round_trips =
            report.baseline ? report.baseline->pipelined.measurement.completed : 0;
        if (baseline_round_trips > 0) {
            out << " (pipelined baseline: "
                << format("%.1f", report.baseline->pipelined_cpu_seconds * 1e6 /
                                      static_cast<double>(baseline_round_trips))
                << " us per round trip)";
        }
        out << "\n";
    }
    out << "\n  "
        << (report.is_valid() ? "valid: every result came back exactly once and correct"
                              : "INVALID: " + report.problems())
        << "\n";
    return out.str();
}

}  // namespace fastqueue::bench

// subworker_status_test.cpp -- the pool status as JSON text
// (runtime/protocol/subworker_status.cpp): what to_json_text writes parses
// back unchanged, and a status that breaks any rule is refused with a reason
// that names the member.
#include "fastqueue/subworker_status.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "nested_json.hpp"
#include "protocol/codec.hpp"

using namespace fastqueue;

namespace {

SubworkerPoolStatus two_subworkers() {
    using namespace std::chrono;
    SubworkerPoolStatus status;
    SubworkerInfo first;
    first.address = "tcp://127.0.0.1:5561";
    first.is_active = true;
    first.load = 2;
    first.capacity = 4;
    first.tasks_completed = 17;
    first.last_seen = sys_days{year{2026} / 11 / 27} + hours{23} + microseconds{123456};
    SubworkerInfo second;
    second.address = "tcp://[::1]:6000";
    second.is_active = false;
    second.load = 0;
    second.capacity = 1;
    second.tasks_completed = 18446744073709551615ULL;
    second.last_seen = first.last_seen - seconds{30};
    status.subworkers["sw1"] = first;
    status.subworkers["sw.2:b-c_d"] = second;
    status.total_subworkers = 2;
    status.active_subworkers = 1;
    return status;
}

// The JSON of two_subworkers() with `edit` applied to it.
template <typename Edit>
std::string edited(Edit edit) {
    auto object = nlohmann::json::parse(to_json_text(two_subworkers()));
    edit(object);
    return object.dump();
}

void check_refused(const std::string& text, const std::string& reason_part) {
    std::string error;
    auto status = parse_subworker_status(text, &error);
    CHECK_FALSE(status);
    INFO("error: ", error);
    CHECK(error.find(reason_part) != std::string::npos);
}

}  // namespace

TEST_CASE("SubworkerStatus: to_json_text writes the documented members and parses back") {
    SubworkerPoolStatus original = two_subworkers();
    std::string text = to_json_text(original);

    auto object = nlohmann::json::parse(text);
    CHECK(object["total_subworkers"] == 2);
    CHECK(object["active_subworkers"] == 1);
    CHECK(object["subworkers"]["sw1"]["status"] == "active");
    CHECK(object["subworkers"]["sw.2:b-c_d"]["status"] == "inactive");
    CHECK(object["subworkers"]["sw1"]["last_seen"] == "2026-11-27T23:00:00.123456Z");
    CHECK(object["subworkers"]["sw1"]["address"] == "tcp://127.0.0.1:5561");

    std::string error;
    auto parsed = parse_subworker_status(text, &error);
    INFO(error);
    REQUIRE(parsed);
    CHECK(parsed->total_subworkers == 2);
    CHECK(parsed->active_subworkers == 1);
    REQUIRE(parsed->subworkers.size() == 2);
    for (const auto& entry : original.subworkers) {
        // Named references: doctest's CAPTURE captures by reference, which
        // clang 14 cannot do for a structured binding.
        const std::string& id = entry.first;
        const SubworkerInfo& info = entry.second;
        CAPTURE(id);
        REQUIRE(parsed->subworkers.count(id) == 1);
        const SubworkerInfo& back = parsed->subworkers.at(id);
        CHECK(back.address == info.address);
        CHECK(back.is_active == info.is_active);
        CHECK(back.load == info.load);
        CHECK(back.capacity == info.capacity);
        CHECK(back.tasks_completed == info.tasks_completed);
        CHECK(back.last_seen == info.last_seen);
    }
}

TEST_CASE("SubworkerStatus: an empty pool round-trips") {
    std::string text = to_json_text(SubworkerPoolStatus{});
    CHECK(nlohmann::json::parse(text)["subworkers"].is_object());
    auto parsed = parse_subworker_status(text);
    REQUIRE(parsed);
    CHECK(parsed->total_subworkers == 0);
    CHECK(parsed->active_subworkers == 0);
    CHECK(parsed->subworkers.empty());
}

TEST_CASE(
    "SubworkerStatus: messages_rejected is written when set and read back; a status without it "
    "still parses") {
    SubworkerPoolStatus original = two_subworkers();
    original.messages_rejected = 42;
    const auto object = nlohmann::json::parse(to_json_text(original));
    CHECK(object["messages_rejected"] == 42);
    auto parsed = parse_subworker_status(object.dump());
    REQUIRE(parsed);
    CHECK(parsed->messages_rejected == std::optional<std::uint64_t>(42));

    // Written by a control plane that predates the member.
    CHECK_FALSE(
        nlohmann::json::parse(to_json_text(two_subworkers())).contains("messages_rejected"));
    auto older = parse_subworker_status(to_json_text(two_subworkers()));
    REQUIRE(older);
    CHECK_FALSE(older->messages_rejected.has_value());

    check_refused(edited([](nlohmann::json& o) { o["messages_rejected"] = -1; }),
                  "'messages_rejected' must be an integer");
    check_refused(edited([](nlohmann::json& o) { o["messages_rejected"] = "3"; }),
                  "'messages_rejected' must be an integer");
}

TEST_CASE(
    "SubworkerStatus: a subworker's prefetch_window is written when set and read back; a status "
    "without it still parses") {
    SubworkerPoolStatus original = two_subworkers();
    original.subworkers["sw1"].prefetch_window = 64;
    const auto object = nlohmann::json::parse(to_json_text(original));
    CHECK(object["subworkers"]["sw1"]["prefetch_window"] == 64);
    CHECK_FALSE(object["subworkers"]["sw.2:b-c_d"].contains("prefetch_window"));
    auto parsed = parse_subworker_status(object.dump());
    REQUIRE(parsed);
    CHECK(parsed->subworkers.at("sw1").prefetch_window == std::optional<std::uint32_t>(64));
    CHECK_FALSE(parsed->subworkers.at("sw.2:b-c_d").prefetch_window.has_value());

    check_refused(edited([](nlohmann::json& o) { o["subworkers"]["sw1"]["prefetch_window"] = -1; }),
                  "'prefetch_window' must be an integer");
    check_refused(edited([](nlohmann::json& o) {
                      o["subworkers"]["sw1"]["prefetch_window"] = 4294967296ULL;
                  }),
                  "'prefetch_window' must be an integer in 0..4294967295");
}

TEST_CASE(
    "SubworkerStatus: a subworker's task_process_restarts is written when set and read back; a "
    "status without it still parses") {
    SubworkerPoolStatus original = two_subworkers();
    original.subworkers["sw1"].task_process_restarts = 3;
    original.subworkers["sw.2:b-c_d"].task_process_restarts = 18446744073709551615ULL;
    const auto object = nlohmann::json::parse(to_json_text(original));
    CHECK(object["subworkers"]["sw1"]["task_process_restarts"] == 3);
    auto parsed = parse_subworker_status(object.dump());
    REQUIRE(parsed);
    CHECK(parsed->subworkers.at("sw1").task_process_restarts == std::optional<std::uint64_t>(3));
    CHECK(parsed->subworkers.at("sw.2:b-c_d").task_process_restarts ==
          std::optional<std::uint64_t>(18446744073709551615ULL));

    // Written by a control plane that predates the member.
    const auto older_object = nlohmann::json::parse(to_json_text(two_subworkers()));
    CHECK_FALSE(older_object["subworkers"]["sw1"].contains("task_process_restarts"));
    auto older = parse_subworker_status(older_object.dump());
    REQUIRE(older);
    CHECK_FALSE(older->subworkers.at("sw1").task_process_restarts.has_value());

    check_refused(
        edited([](nlohmann::json& o) { o["subworkers"]["sw1"]["task_process_restarts"] = -1; }),
        "subworker 'sw1': 'task_process_restarts' must be an integer");
    check_refused(
        edited([](nlohmann::json& o) { o["subworkers"]["sw1"]["task_process_restarts"] = "1"; }),
        "'task_process_restarts' must be an integer");
    check_refused(
        edited([](nlohmann::json& o) { o["subworkers"]["sw1"]["task_process_restarts"] = 1.5; }),
        "'task_process_restarts' must be an integer");
}

TEST_CASE(
    "SubworkerStatus: the control_plane object is written when set and read back; a status "
    "without it still parses") {
    SubworkerPoolStatus original = two_subworkers();
    original.control_plane = ControlPlaneInfo{"control-plane", 4, 2, std::nullopt};
    const auto object = nlohmann::json::parse(to_json_text(original));
    REQUIRE(object["control_plane"].is_object());
    CHECK(object["control_plane"]["worker_id"] == "control-plane");
    CHECK(object["control_plane"]["concurrency"] == 4);
    CHECK(object["control_plane"]["task_process_restarts"] == 2);
    // The seed's members are unchanged beside it.
    CHECK(object["total_subworkers"] == 2);
    CHECK(object["active_subworkers"] == 1);
    CHECK(object["subworkers"].size() == 2);
    auto parsed = parse_subworker_status(object.dump());
    REQUIRE(parsed);
    REQUIRE(parsed->control_plane.has_value());
    CHECK(parsed->control_plane->worker_id == "control-plane");
    CHECK(parsed->control_plane->concurrency == 4);
    CHECK(parsed->control_plane->task_process_restarts == 2);
    // What it parses back writes the same text (what `workers --json` prints).
    CHECK(to_json_text(*parsed) == to_json_text(original));

    // Written by a control plane that predates the object.
    CHECK_FALSE(nlohmann::json::parse(to_json_text(two_subworkers())).contains("control_plane"));
    auto older = parse_subworker_status(to_json_text(two_subworkers()));
    REQUIRE(older);
    CHECK_FALSE(older->control_plane.has_value());

    const auto with_control_plane = [&](auto edit) {
        auto copy = object;
        edit(copy["control_plane"]);
        return copy.dump();
    };
    check_refused(edited([](nlohmann::json& o) { o["control_plane"] = 3; }),
                  "'control_plane' must be an object");
    check_refused(with_control_plane([](nlohmann::json& c) { c.erase("worker_id"); }),
                  "control_plane: missing 'worker_id'");
    check_refused(with_control_plane([](nlohmann::json& c) { c["worker_id"] = "cp 1"; }),
                  "control_plane: invalid 'worker_id'");
    check_refused(with_control_plane([](nlohmann::json& c) { c["worker_id"] = 7; }),
                  "control_plane: 'worker_id' must be a string");
    check_refused(with_control_plane([](nlohmann::json& c) { c.erase("concurrency"); }),
                  "control_plane: missing 'concurrency'");
    check_refused(with_control_plane([](nlohmann::json& c) { c["concurrency"] = 4294967296ULL; }),
                  "control_plane: 'concurrency' must be an integer in 0..4294967295");
    check_refused(with_control_plane([](nlohmann::json& c) { c.erase("task_process_restarts"); }),
                  "control_plane: missing 'task_process_restarts'");
    check_refused(with_control_plane([](nlohmann::json& c) { c["task_process_restarts"] = -2; }),
                  "control_plane: 'task_process_restarts' must be an integer");
    check_refused(with_control_plane([](nlohmann::json& c) {
                      c["task_process_restarts"] = {{"a", 1}};
                  }),
                  "control_plane: 'task_process_restarts' must be an integer");
}

TEST_CASE("SubworkerStatus: a status nested past 3 levels is refused, however deep") {
    using fastqueue::test::kHostileNesting;
    using fastqueue::test::nested_arrays;
    using fastqueue::test::nested_objects;
    const std::string reason = "subworker status: the text is nested deeper than 3 levels";
    check_refused(nested_objects(kHostileNesting), reason);
    check_refused(nested_arrays(kHostileNesting), reason);
    check_refused(nested_objects(4), reason);
    // An unknown member one level too deep, where the rest is a valid status.
    check_refused(edited([](nlohmann::json& o) { o["subworkers"]["sw1"]["extra"] = {1}; }), reason);
    check_refused(
        edited([](nlohmann::json& o) { o["extra"] = nlohmann::json::parse(nested_objects(1000)); }),
        reason);
    // At the bound: an unknown member of a subworker's object may be a
    // number or a string, and the status still parses.
    std::string error;
    auto parsed = parse_subworker_status(
        edited([](nlohmann::json& o) { o["subworkers"]["sw1"]["extra"] = "kept out"; }), &error);
    INFO(error);
    CHECK(parsed);
}

TEST_CASE("SubworkerStatus: a status longer than WORKERS_REPLY allows is refused unparsed") {
    const std::string text = edited([](nlohmann::json& o) {
        o["padding"] = std::string(fastqueue::protocol::kMaxStatusBytes, 'p');
    });
    check_refused(text, "longer than 4194304 bytes");
}

TEST_CASE("SubworkerStatus: members it does not know are ignored") {
    auto parsed = parse_subworker_status(edited([](nlohmann::json& object) {
        object["later_member"] = 1;
        object["subworkers"]["sw1"]["later_member"] = "x";
    }));
    REQUIRE(parsed);
    CHECK(parsed->subworkers.size() == 2);
}

TEST_CASE("SubworkerStatus: each malformed status is refused, naming what is wrong") {
    using nlohmann::json;
    check_refused("", "not a UTF-8 JSON object");
    check_refused("[1,2]", "not a UTF-8 JSON object");
    check_refused("{\"total_subworkers\": 0", "not a UTF-8 JSON object");
    check_refused(edited([](json& o) { o.erase("total_subworkers"); }),
                  "missing 'total_subworkers'");
    check_refused(edited([](json& o) { o["total_subworkers"] = -2; }), "'total_subworkers'");
    check_refused(edited([](json& o) { o["active_subworkers"] = 1.5; }), "'active_subworkers'");
    check_refused(edited([](json& o) { o["active_subworkers"] = "1"; }), "'active_subworkers'");
    check_refused(edited([](json& o) { o.erase("subworkers"); }), "missing 'subworkers'");
    check_refused(edited([](json& o) { o["subworkers"] = json::array(); }),
                  "'subworkers' must be an object");
    check_refused(edited([](json& o) { o["total_subworkers"] = 3; }),
                  "'total_subworkers' is 3 but 'subworkers' has 2 and 'omitted_subworkers' is 0");
    check_refused(edited([](json& o) { o["active_subworkers"] = 2; }),
                  "'active_subworkers' is 2 but 1 listed subworkers are active and 0 are not "
                  "listed");
    check_refused(edited([](json& o) {
                      o["subworkers"]["bad id"] = o["subworkers"]["sw1"];
                      o["subworkers"].erase("sw1");
                  }),
                  "invalid worker id 'bad id'");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"] = 5; }),
                  "subworker 'sw1': must be an object");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"].erase("address"); }),
                  "subworker 'sw1': missing 'address'");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"]["address"] = "udp://h:1"; }),
                  "'address' is not tcp://HOST:PORT");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"]["status"] = "Active"; }),
                  "'status' must be \"active\" or \"inactive\"");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"]["status"] = true; }),
                  "'status' must be a string");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"]["load"] = -1; }), "'load'");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"]["load"] = 4294967296ULL; }),
                  "'load' must be an integer in 0..4294967295");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"]["capacity"] = "4"; }), "'capacity'");
    check_refused(edited([](json& o) { o["subworkers"]["sw1"].erase("tasks_completed"); }),
                  "missing 'tasks_completed'");
    check_refused(
        edited([](json& o) { o["subworkers"]["sw1"]["last_seen"] = "2026-11-27T23:52:33Z"; }),
        "'last_seen' is not a UTC timestamp");
}

namespace {

// n subworkers sw0000.., the first `active` of them active.
SubworkerPoolStatus many_subworkers(std::size_t n, std::size_t active) {
    SubworkerPoolStatus status = two_subworkers();
    status.subworkers.clear();
    const SubworkerInfo model = two_subworkers().subworkers.at("sw1");
    for (std::size_t i = 0; i < n; ++i) {
        std::string id = std::to_string(10000 + i);
        SubworkerInfo info = model;
        info.is_active = i < active;
        status.subworkers["sw" + id.substr(1)] = info;
    }
    status.total_subworkers = n;
    status.active_subworkers = active;
    return status;
}

}  // namespace

TEST_CASE("SubworkerStatus: a listing too long for the limit lists what fits, active first") {
    // Ids in the order of their activity: inactive sw0000..sw0059, active sw0060..sw0099.
    SubworkerPoolStatus status = many_subworkers(100, 0);
    for (std::size_t i = 60; i < 100; ++i) {
        status.subworkers.at("sw" + std::to_string(10000 + i).substr(1)).is_active = true;
    }
    status.active_subworkers = 40;
    const std::string whole = to_json_text(status);
    CHECK(to_json_text(status, whole.size()) == whole);  // fits exactly: unchanged
    CHECK(nlohmann::json::parse(whole).count("omitted_subworkers") == 0);

    for (const std::size_t limit :
         {whole.size() - 1, whole.size() / 2, whole.size() / 4, std::size_t{200}}) {
        CAPTURE(limit);
        const std::string text = to_json_text(status, limit);
        CHECK(text.size() <= limit);
        std::string error;
        auto parsed = parse_subworker_status(text, &error);
        INFO(error);
        REQUIRE(parsed);
        CHECK(parsed->total_subworkers == 100);
        CHECK(parsed->active_subworkers == 40);
        CHECK(parsed->omitted_subworkers > 0);
        CHECK(parsed->subworkers.size() + parsed->omitted_subworkers == 100);
        // Active ones first: no inactive one is listed while an active one is not.
        std::size_t listed_active = 0;
        for (const auto& entry : parsed->subworkers) listed_active += entry.second.is_active;
        CHECK((listed_active == 40 || listed_active == parsed->subworkers.size()));
        // Reading it back and writing it again keeps the count of those left out.
        CHECK(to_json_text(*parsed) == text);
    }
    // At half the size, all 40 active ones (40% of the entries) fit.
    auto half = parse_subworker_status(to_json_text(status, whole.size() / 2));
    REQUIRE(half);
    std::size_t listed_active = 0;
    for (const auto& entry : half->subworkers) listed_active += entry.second.is_active;
    CHECK(listed_active == 40);
    CHECK(half->subworkers.size() < 100);
}

TEST_CASE("SubworkerStatus: the most subworkers a control plane keeps fit in a WORKERS_REPLY") {
    // Longest ids and hosts (128 and 253 bytes) are the worst case; the
    // control plane keeps at most 100,000 entries, far more than fit.
    SubworkerPoolStatus status = many_subworkers(0, 0);
    const SubworkerInfo model = two_subworkers().subworkers.at("sw1");
    const std::string label(63, 'h');  // the longest host: 253 bytes
    const std::string address =
        "tcp://" + label + "." + label + "." + label + "." + label.substr(2) + ":65000";
    for (std::size_t i = 0; i < 10000; ++i) {
        std::string id = std::to_string(i);
        id = std::string(128 - id.size(), 'x') + id;
        SubworkerInfo info = model;
        info.address = address;
        info.is_active = i % 2 == 0;
        status.subworkers[id] = info;
    }
    status.total_subworkers = 10000;
    status.active_subworkers = 5000;
    constexpr std::size_t kLimit = 4 * 1024 * 1024;  // protocol::kMaxStatusBytes
    const std::string text = to_json_text(status, kLimit);
    CHECK(text.size() <= kLimit);
    auto parsed = parse_subworker_status(text);
    REQUIRE(parsed);
    CHECK(parsed->total_subworkers == 10000);
    CHECK(parsed->omitted_subworkers > 0);
    CHECK(parsed->subworkers.size() + parsed->omitted_subworkers == 10000);
}

TEST_CASE("SubworkerStatus: counts that disagree with what is listed and left out are refused") {
    SubworkerPoolStatus status = many_subworkers(10, 4);
    const std::string text = to_json_text(status, 600);
    auto object = nlohmann::json::parse(text);
    REQUIRE(object["omitted_subworkers"].get<std::size_t>() > 0);
    auto with = [&](auto edit) {
        auto copy = object;
        edit(copy);
        return copy.dump();
    };
    using json = nlohmann::json;
    check_refused(
        with([](json& o) { o["omitted_subworkers"] = o["omitted_subworkers"].get<int>() + 1; }),
        "'total_subworkers' is 10");
    check_refused(with([](json& o) { o.erase("omitted_subworkers"); }), "'total_subworkers' is 10");
    check_refused(with([](json& o) { o["omitted_subworkers"] = -1; }), "'omitted_subworkers'");
    check_refused(with([](json& o) { o["active_subworkers"] = 11; }), "'active_subworkers' is 11");
    check_refused(with([](json& o) { o["active_subworkers"] = 0; }), "'active_subworkers' is 0");
}

TEST_CASE(
    "SubworkerStatus: the control plane's subworker_port is written when set and read back; "
    "without it the control_plane object still parses; 0 or above 65535 is refused") {
    SubworkerPoolStatus original = two_subworkers();
    original.control_plane = ControlPlaneInfo{"control-plane", 4, 0, 7012};
    const auto object = nlohmann::json::parse(to_json_text(original));
    CHECK(object["control_plane"]["subworker_port"] == 7012);
    auto parsed = parse_subworker_status(object.dump());
    REQUIRE(parsed);
    REQUIRE(parsed->control_plane.has_value());
    CHECK(parsed->control_plane->subworker_port == std::uint32_t{7012});
    CHECK(to_json_text(*parsed) == to_json_text(original));

    // A control plane of an earlier release writes the object without it.
    auto older_object = object;
    older_object["control_plane"].erase("subworker_port");
    auto older = parse_subworker_status(older_object.dump());
    REQUIRE(older);
    REQUIRE(older->control_plane.has_value());
    CHECK_FALSE(older->control_plane->subworker_port.has_value());
    CHECK_FALSE(
        nlohmann::json::parse(to_json_text(*older))["control_plane"].contains("subworker_port"));

    const auto with_port = [&](nlohmann::json port) {
        auto copy = object;
        copy["control_plane"]["subworker_port"] = std::move(port);
        return copy.dump();
    };
    check_refused(with_port(0), "control_plane: 'subworker_port' must be a port, 1..65535");
    check_refused(with_port(65536),
                  "control_plane: 'subworker_port' must be an integer in 0..65535");
    check_refused(with_port("5560"), "control_plane: 'subworker_port' must be an integer");
}

// Tests of runtime/config/key_docs.cpp and of docs/operations.md against it:
// the operator's page lists every key in all three spellings, its table is
// the one the key table renders, and its sample config file is valid.
#include "config/key_docs.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "config/control_plane_keys.hpp"
#include "config/control_plane_options.hpp"
#include "config_test_support.hpp"

namespace fastqueue::config {
namespace {

std::string operations_page() {
    std::ifstream in(FASTQUEUE_TEST_SOURCE_DIR "/../../docs/operations.md");
    REQUIRE_MESSAGE(in.good(), "docs/operations.md is missing");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST_CASE("KeySpec: the environment and TOML spellings follow from the flag's name") {
    KeySpec spec{.name = "result-cache-size"};
    CHECK(spec.flag() == "--result-cache-size");
    CHECK(spec.env_name() == "FASTQUEUE_RESULT_CACHE_SIZE");
    CHECK(spec.toml_key() == "result_cache_size");
}

TEST_CASE("render_key_table_markdown: one row per key with flag, env, TOML key and default") {
    KeySpec spec{.name = "result-cache-size",
                 .value_name = "N",
                 .default_text = "10000",
                 .help = "Most records kept | at once"};
    CHECK(render_key_table_markdown({&spec, &config_file_key()}) ==
          "| Flag | Environment variable | TOML key | Default | Meaning |\n"
          "| --- | --- | --- | --- | --- |\n"
          "| `--result-cache-size N` | `FASTQUEUE_RESULT_CACHE_SIZE` | `result_cache_size` | "
          "10000 | Most records kept \\| at once |\n"
          "| `--config FILE` | `FASTQUEUE_CONFIG` | — | (none) | " +
              config_file_key().help + " |\n");
}

TEST_CASE(
    "docs/operations.md: lists every control-plane key as flag, environment variable and TOML "
    "key") {
    const std::string page = operations_page();
    auto keys = control_plane_keys();
    for (const KeySpec* spec : control_plane_specs(keys)) {
        CAPTURE(spec->name);
        CHECK(page.find("`" + spec->flag()) != std::string::npos);
        CHECK(page.find("`" + spec->env_name() + "`") != std::string::npos);
        if (spec->is_file_key) CHECK(page.find("`" + spec->toml_key() + "`") != std::string::npos);
    }
    CHECK(page.find("FASTQUEUE_MODULES_PATH") != std::string::npos);
}

TEST_CASE("docs/operations.md: its configuration table is the one the key table renders") {
    const std::string table = control_plane_keys_markdown();
    CHECK_MESSAGE(operations_page().find(table) != std::string::npos,
                  "paste this table into docs/operations.md:\n", table);
}

TEST_CASE("docs/operations.md: its sample config file is accepted") {
    const std::string page = operations_page();
    const std::string fence = "```toml\n";
    auto start = page.find(fence);
    REQUIRE(start != std::string::npos);
    start += fence.size();
    auto end = page.find("```", start);
    REQUIRE(end != std::string::npos);
    fastqueue::testing::TempTomlFile file(page.substr(start, end - start));
    CHECK_NOTHROW(fastqueue::testing::resolve_control_plane({"--config", file.path()}));
}

}  // namespace
}  // namespace fastqueue::config

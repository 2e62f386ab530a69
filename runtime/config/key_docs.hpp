// key_docs.hpp -- the configuration table of the documentation, rendered from
// the key table itself, so that docs/operations.md cannot fall out of step
// with the flags (a unit test compares the two).
#pragma once

#include <string>
#include <vector>

#include "config/config_key.hpp"

namespace fastqueue::config {

// A Markdown table, one row per spec, in order: flag (with its value name),
// environment variable, TOML key ("—" for --config), default, meaning. Ends
// with a newline.
std::string render_key_table_markdown(const std::vector<const KeySpec*>& specs);

}  // namespace fastqueue::config

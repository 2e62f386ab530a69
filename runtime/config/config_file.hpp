// config_file.hpp -- the file layer of configuration: a TOML file of
// top-level keys spelled as the flags are, with underscores
// (result_cache_size = 20000). The file is checked whole before any value is
// used: an unknown key or a value of the wrong TOML type is an error, so that
// a typo is reported rather than silently ignored.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config_key.hpp"

namespace fastqueue::config {

// Reads the file at `path` and returns each key it sets, by KeySpec::name,
// as text (see RawValue) whose source reads "PATH: toml_key".
// Throws ConfigError:
//   cannot read config file 'PATH': REASON
//   config file 'PATH' line L, column C: PARSE ERROR
//   unknown key 'KEY' in config file 'PATH' (line L)
//   wrong type for PATH: KEY (line L): expected EXPECTED, got TYPE
std::map<std::string, RawValue> read_config_file(const std::string& path,
                                                 const std::vector<const KeySpec*>& specs);

}  // namespace fastqueue::config

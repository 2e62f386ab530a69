// soak_report.hpp -- what fastqueue-soak prints: a short text report or one
// JSON object (--json), and the exit code that goes with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "soak_options.hpp"
#include "soak_run.hpp"

namespace fastqueue::soak {

// Exit codes: 0 every task submitted and each has one correct final record;
// 1 a task was lost, a record was wrong, a SUBMIT was not answered or was
// refused other than busy, or the tool failed; 2 bad options; 3 nothing went
// wrong but --max-seconds came before every task was submitted.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitStoppedByTime = 3;

int exit_code_of(const SoakResult& result);

nlohmann::json to_json(const SoakOptions& options, const SoakResult& result);
std::string to_text(const SoakOptions& options, const SoakResult& result);

}  // namespace fastqueue::soak

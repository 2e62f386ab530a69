# check_short_control_plane_soak.cmake -- the control-plane kill soak of the
# test suite: fastqueue-soak --kill-control-plane with 4 SIGKILLs of the
# control plane, each after a random 0.5..1.5 s, restarted on its journal
# (a directory the tool creates and removes), 32 tasks in flight, every
# 20th task sleeping 0.1 s so that kills land mid-task. Submitting stops one
# interval after the last restart; --tasks only bounds it. It fails unless
# every acknowledged task has one correct final record (lost == 0,
# wrong == 0), no task ran twice without a kill while it was in flight, none
# ran more often than its record's attempts, and all 4 kills happened. No
# time is asserted; --max-seconds only bounds a stuck run.
execute_process(
  COMMAND "${TOOL}" --fastqueue "${FASTQUEUE}" --modules-dir "${MODULES_DIR}"
          --kill-control-plane --control-plane-kills 4 --kill-interval 1 --restart-delay 0.1
          --tasks 200000 --in-flight 32 --sleep-every 20 --sleep-seconds 0.1
          --max-seconds 40 --drain-seconds 15 --progress-seconds 5 --json
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
message(STATUS "fastqueue-soak exited ${exit_code}\n${output}\n${errors}")
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "fastqueue-soak exited ${exit_code} (1: lost, wrong or ran twice; "
                      "3: out of time or short of kills)")
endif()

foreach(field submitted lost wrong kills)
  string(JSON ${field} ERROR_VARIABLE missing GET "${output}" ${field})
  if(missing)
    message(FATAL_ERROR "fastqueue-soak JSON has no '${field}': ${missing}")
  endif()
endforeach()
foreach(field ran_again_unexplained runs_beyond_attempts finished_without_run traced)
  string(JSON ${field} ERROR_VARIABLE missing GET "${output}" runs ${field})
  if(missing)
    message(FATAL_ERROR "fastqueue-soak JSON has no 'runs.${field}': ${missing}")
  endif()
endforeach()
if(NOT lost EQUAL 0 OR NOT wrong EQUAL 0 OR NOT ran_again_unexplained EQUAL 0
   OR NOT runs_beyond_attempts EQUAL 0 OR NOT finished_without_run EQUAL 0)
  message(FATAL_ERROR "lost=${lost} wrong=${wrong} ran_again_unexplained=${ran_again_unexplained} "
                      "runs_beyond_attempts=${runs_beyond_attempts} "
                      "finished_without_run=${finished_without_run}")
endif()
if(NOT kills EQUAL 4)
  message(FATAL_ERROR "${kills} kills of the control plane, not 4")
endif()
# Every acknowledged task that finished ran at least once, so the trace holds
# at least as many runs as tasks were submitted minus the lost (none).
if(traced LESS submitted)
  message(FATAL_ERROR "${traced} runs traced for ${submitted} acknowledged tasks")
endif()

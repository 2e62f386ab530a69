# check_short_soak.cmake -- the soak test of the test suite: fastqueue-soak
# with 20,000 tasks, 32 in flight, a subworker SIGKILLed and restarted every
# 1 s, a short heartbeat window so that lost subworkers are noticed quickly,
# and --max-queued low enough that some submissions are refused as busy.
# It fails unless every task was submitted and has exactly one correct final
# record: lost == 0, wrong == 0, accepted + refused + unanswered == sent. No
# time is asserted; --max-seconds only bounds a stuck run.
execute_process(
  COMMAND "${TOOL}" --fastqueue "${FASTQUEUE}" --modules-dir "${MODULES_DIR}"
          --tasks 20000 --in-flight 32 --sleep-every 100 --sleep-seconds 0.05
          --kill-interval 1 --restart-delay 0.3
          --heartbeat-interval 0.25 --heartbeat-liveness 4 --max-queued 16
          --max-seconds 150 --drain-seconds 30 --progress-seconds 5 --json
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
message(STATUS "fastqueue-soak exited ${exit_code}\n${output}\n${errors}")
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "fastqueue-soak exited ${exit_code} (1: lost or wrong, 3: out of time)")
endif()

foreach(field submitted sent accepted refused unanswered lost wrong kills succeeded)
  string(JSON ${field} ERROR_VARIABLE missing GET "${output}" ${field})
  if(missing)
    message(FATAL_ERROR "fastqueue-soak JSON has no '${field}': ${missing}")
  endif()
endforeach()
math(EXPR answered "${accepted} + ${refused} + ${unanswered}")
if(NOT submitted EQUAL 20000 OR NOT lost EQUAL 0 OR NOT wrong EQUAL 0
   OR NOT answered EQUAL sent)
  message(FATAL_ERROR "submitted=${submitted} lost=${lost} wrong=${wrong} "
                      "accepted+refused+unanswered=${answered} sent=${sent}")
endif()
# The 200 sleep tasks alone keep the 4 handler threads of the two subworkers
# busy for 2.5 s, so the first kill at 1 s always comes before the end.
if(kills LESS 1)
  message(FATAL_ERROR "no kill happened: the run did not test failover")
endif()

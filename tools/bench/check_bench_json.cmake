# check_bench_json.cmake -- the bench smoke test: runs fastqueue-bench briefly
# against a spawned control plane and one subworker, with the baseline, and
# checks that it succeeds and that its JSON has every field; then once more
# with --wire-shapes. No time is asserted: the machine is shared.
execute_process(
  COMMAND "${TOOL}" --fastqueue "${FASTQUEUE}" --modules-dir "${MODULES_DIR}"
          --spawn-subworkers 1 --tasks 2000 --in-flight 100 --payload-bytes 32
          --baseline --json --max-seconds 60
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "fastqueue-bench exited ${exit_code}\n${output}\n${errors}")
endif()

foreach(path
    "valid" "load_average"
    "config;tasks" "config;payload_bytes" "config;in_flight" "config;subworkers"
    "fastqueue;tasks_per_second" "fastqueue;bytes_per_second" "fastqueue;completed"
    "fastqueue;duplicates" "fastqueue;missing" "fastqueue;wrong"
    "fastqueue;latency_us;p50" "fastqueue;latency_us;p90" "fastqueue;latency_us;p99"
    "fastqueue;latency_us;p999" "fastqueue;latency_us;max"
    "peak_rss_bytes;control-plane" "peak_rss_bytes;bench-sw1"
    "load_cpu_seconds;load-generator" "load_cpu_seconds;control-plane"
    "load_cpu_seconds;bench-sw1" "load_cpu_us_per_task;total"
    "baseline;pipelined;tasks_per_second" "baseline;pipelined;latency_us;p50"
    "baseline;req_rep;latency_us;p50" "baseline;pipelined;cpu_us_per_round_trip"
    "ratios;tasks_per_second" "ratios;bytes_per_second" "ratios;p50" "ratios;p99"
    "ratios;p50_vs_req_rep_p50" "ratios;tasks_per_second_vs_wire_shape"
    "baseline;wire_shapes;0;tasks_per_second" "baseline;wire_shapes;0;cpu_us_per_task"
    "baseline;wire_shapes;0;latency_us;p50")
  string(JSON value ERROR_VARIABLE missing GET "${output}" ${path})
  if(missing)
    message(FATAL_ERROR "fastqueue-bench JSON has no '${path}': ${missing}\n${output}")
  endif()
endforeach()

string(JSON valid GET "${output}" valid)
string(JSON completed GET "${output}" fastqueue completed)
if(NOT valid STREQUAL "ON" OR NOT completed EQUAL 2000)
  message(FATAL_ERROR "fastqueue-bench reported valid=${valid} completed=${completed}\n${output}")
endif()

# The load generator's CPU time is read to the nanosecond, and sending 2,000
# tasks certainly took some: it went up. The spawned processes' CPU comes
# from /proc in 10 ms clock ticks, and 2,000 echo tasks cost a subworker
# about that much (one tick or two on an idle machine, none when its use
# falls short of a tick): each must be a number, and not negative (the
# counts never go down).
string(JSON seconds GET "${output}" load_cpu_seconds load-generator)
if(NOT seconds GREATER 0)
  message(FATAL_ERROR "fastqueue-bench reports ${seconds} s of CPU for load-generator\n${output}")
endif()
foreach(process control-plane bench-sw1)
  string(JSON seconds GET "${output}" load_cpu_seconds ${process})
  if(NOT seconds GREATER_EQUAL 0)
    message(FATAL_ERROR "fastqueue-bench reports ${seconds} s of CPU for ${process}\n${output}")
  endif()
endforeach()

# --baseline measures FQ/1's frames alone, and through a relay when the run
# has a subworker (then the ratio is to that); --wire-shapes adds the other
# layouts. Each must be a valid run of its own.
string(JSON first_shape GET "${output}" baseline wire_shapes 0 name)
string(JSON second_shape GET "${output}" baseline wire_shapes 1 name)
string(JSON shape_count LENGTH "${output}" baseline wire_shapes)
string(JSON reference GET "${output}" ratios wire_shape)
if(NOT first_shape STREQUAL "fq1" OR NOT second_shape STREQUAL "fq1-relayed"
   OR NOT shape_count EQUAL 2 OR NOT reference STREQUAL "fq1-relayed")
  message(FATAL_ERROR "--baseline with a subworker measured ${shape_count} wire shapes "
                      "(${first_shape}, ${second_shape}), compared with '${reference}'\n${output}")
endif()

execute_process(
  COMMAND "${TOOL}" --fastqueue "${FASTQUEUE}" --modules-dir "${MODULES_DIR}"
          --tasks 1000 --in-flight 100 --wire-shapes --json --max-seconds 60
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "fastqueue-bench --wire-shapes exited ${exit_code}\n${output}\n${errors}")
endif()
set(names "")
string(JSON shape_count LENGTH "${output}" baseline wire_shapes)
math(EXPR last "${shape_count} - 1")
foreach(index RANGE ${last})
  string(JSON name GET "${output}" baseline wire_shapes ${index} name)
  string(JSON valid GET "${output}" baseline wire_shapes ${index} valid)
  string(JSON rate GET "${output}" baseline wire_shapes ${index} tasks_per_second)
  if(NOT valid STREQUAL "ON" OR NOT rate GREATER 0)
    message(FATAL_ERROR "wire shape ${name}: valid=${valid}, ${rate} tasks/s\n${output}")
  endif()
  list(APPEND names ${name})
endforeach()
if(NOT names STREQUAL "fq1;fq1-relayed;fq1-no-ack;one-frame;one-frame-x16")
  message(FATAL_ERROR "--wire-shapes measured '${names}'\n${output}")
endif()

# A run whose results are not what was sent back fails, counting each one as
# wrong: `echo` returns its argument, while --returns-input expects the whole
# payload; and test_ok_echo returns the whole payload, while the default
# expects the argument alone.
# The warm-up's results are checked as the measured ones are.
foreach(task_flags "--task;echo;--returns-input"
                   "--task;test_ok_echo;--task-modules;fq_test_ok;--warmup-tasks;10")
  execute_process(
    COMMAND "${TOOL}" --fastqueue "${FASTQUEUE}" --modules-dir "${MODULES_DIR}"
            --tasks 50 --in-flight 10 --payload-bytes 64 ${task_flags} --json --max-seconds 60
    RESULT_VARIABLE exit_code
    OUTPUT_VARIABLE output
    ERROR_VARIABLE errors)
  string(JSON wrong ERROR_VARIABLE unreadable GET "${output}" fastqueue wrong)
  if(exit_code EQUAL 0 OR unreadable OR NOT wrong EQUAL 50)
    message(FATAL_ERROR "fastqueue-bench ${task_flags} with the wrong expectation exited "
                        "${exit_code} with ${wrong} wrong results of 50\n${output}\n${errors}")
  endif()
  if(task_flags MATCHES "warmup")
    string(JSON warmup_wrong ERROR_VARIABLE unreadable GET "${output}" warmup wrong)
    if(unreadable OR NOT warmup_wrong EQUAL 10)
      message(FATAL_ERROR "fastqueue-bench ${task_flags}: ${warmup_wrong} wrong warm-up results "
                          "of 10\n${output}")
    endif()
  endif()
endforeach()

# --warmup-tasks runs that many tasks (and baseline round trips) first,
# checked but not measured: the measured figures count --tasks alone.
execute_process(
  COMMAND "${TOOL}" --fastqueue "${FASTQUEUE}" --modules-dir "${MODULES_DIR}"
          --warmup-tasks 300 --tasks 200 --in-flight 20 --payload-bytes 65536 --baseline
          --json --max-seconds 60
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "fastqueue-bench --warmup-tasks exited ${exit_code}\n${output}\n${errors}")
endif()
foreach(check "config;warmup_tasks=300" "warmup;completed=300" "fastqueue;completed=200"
              "baseline;pipelined_warmup;completed=300" "baseline;pipelined;completed=200")
  string(REPLACE "=" ";" parts "${check}")
  list(POP_BACK parts expected)
  string(JSON value ERROR_VARIABLE missing GET "${output}" ${parts})
  if(missing OR NOT value EQUAL expected)
    message(FATAL_ERROR "fastqueue-bench --warmup-tasks: '${parts}' is '${value}', not "
                        "${expected}\n${output}")
  endif()
endforeach()

# --idle-subworkers starts subworkers that load another plugin: the run waits
# for them to register too, and succeeds with the others doing the work.
execute_process(
  COMMAND "${TOOL}" --fastqueue "${FASTQUEUE}" --modules-dir "${MODULES_DIR}"
          --spawn-subworkers 1 --idle-subworkers 2 --tasks 200 --in-flight 20 --json
          --max-seconds 60
  RESULT_VARIABLE exit_code
  OUTPUT_VARIABLE output
  ERROR_VARIABLE errors)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "fastqueue-bench --idle-subworkers exited ${exit_code}\n${output}\n${errors}")
endif()
string(JSON idle GET "${output}" config idle_subworkers)
string(JSON third_rss ERROR_VARIABLE missing GET "${output}" peak_rss_bytes bench-sw3)
if(NOT idle EQUAL 2 OR missing OR NOT third_rss GREATER 0)
  message(FATAL_ERROR "fastqueue-bench --idle-subworkers 2: config ${idle}, "
                      "bench-sw3 peak RSS '${third_rss}' ${missing}\n${output}")
endif()

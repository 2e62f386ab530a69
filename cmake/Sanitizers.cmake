# Sanitizers.cmake -- builds the whole tree with sanitizers, and says which
# environment its tests run in.
#
#   -DFASTQUEUE_SANITIZE=address,undefined   ASan + UBSan (LeakSanitizer included)
#   -DFASTQUEUE_SANITIZE=thread              TSan
#   -DFASTQUEUE_SANITIZE=                    none (the default)
#
# Every target gets -fsanitize=<list> -fno-omit-frame-pointer at compile and
# link time, plugins included, so a finding anywhere in FastQueue's code is
# reported. With "undefined", -fno-sanitize-recover=all turns every UBSan
# finding into a crash, so the test that triggered it fails instead of
# printing a warning nobody reads.
#
# Sanitizer builds are meant to be configured with CMAKE_BUILD_TYPE=Debug
# (scripts/test.sh does): -O0 compiles about three times faster than -O1 under
# ASan and finds the same bugs. With clang, debug info is cut to line tables,
# which is all a sanitizer report needs and halves -O0 compile time.
#
# fastqueue_sanitizer_test_environment() gives the tests of the calling
# directory the runtime options below; every directory that adds tests calls
# it after its add_test()s (it does nothing without sanitizers).

set(FASTQUEUE_SANITIZE "" CACHE STRING
  "Sanitizers for every target: empty, address,undefined, or thread")
set_property(CACHE FASTQUEUE_SANITIZE PROPERTY STRINGS "" "address,undefined" "thread")

string(REPLACE "," ";" fastqueue_sanitizers "${FASTQUEUE_SANITIZE}")
foreach(sanitizer IN LISTS fastqueue_sanitizers)
  if(NOT sanitizer MATCHES "^(address|undefined|thread)$")
    message(FATAL_ERROR "FASTQUEUE_SANITIZE: unknown sanitizer '${sanitizer}' "
      "(use address,undefined or thread)")
  endif()
endforeach()
if("address" IN_LIST fastqueue_sanitizers AND "thread" IN_LIST fastqueue_sanitizers)
  message(FATAL_ERROR "FASTQUEUE_SANITIZE: address and thread cannot be combined")
endif()

set(FASTQUEUE_SANITIZER_TEST_ENVIRONMENT "")
if(fastqueue_sanitizers)
  string(REPLACE ";" "," sanitize_list "${fastqueue_sanitizers}")
  add_compile_options(-fsanitize=${sanitize_list} -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${sanitize_list})
  if("undefined" IN_LIST fastqueue_sanitizers)
    add_compile_options(-fno-sanitize-recover=all)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_compile_options(-gline-tables-only)
  endif()
  message(STATUS "FastQueue: sanitizers ${sanitize_list}")

  # Options for every test process and the processes it starts (children
  # inherit the environment). A finding stops the process with a non-zero
  # exit code, so the test fails.
  set(suppressions_dir "${PROJECT_SOURCE_DIR}/tests/sanitizers")
  list(APPEND FASTQUEUE_SANITIZER_TEST_ENVIRONMENT
    "ASAN_OPTIONS=detect_leaks=1:strict_init_order=1:detect_stack_use_after_return=1"
    "LSAN_OPTIONS=suppressions=${suppressions_dir}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    "TSAN_OPTIONS=suppressions=${suppressions_dir}/tsan.supp:halt_on_error=1:second_deadlock_stack=1")
endif()

function(fastqueue_sanitizer_test_environment)
  if(NOT FASTQUEUE_SANITIZER_TEST_ENVIRONMENT)
    return()
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  if(tests)
    set_property(TEST ${tests} APPEND PROPERTY ENVIRONMENT ${FASTQUEUE_SANITIZER_TEST_ENVIRONMENT})
  endif()
endfunction()

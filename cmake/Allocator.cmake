# Allocator.cmake -- which malloc the `fastqueue` executable runs on.
#
#   -DFASTQUEUE_ALLOCATOR=jemalloc   jemalloc (the default; libjemalloc-dev)
#   -DFASTQUEUE_ALLOCATOR=system     the C library's malloc
#
# Why jemalloc: in the control plane and in a subworker, memory allocated on
# one thread is routinely freed on another (a task's input is allocated by
# the I/O thread and released by the handler thread that ran it; its result
# the other way round). glibc's malloc takes the owning arena's lock for each
# such free once the freeing thread's small cache is full, and the threads
# then wake each other on that lock. With jemalloc the control plane uses
# about a fifth less CPU per task at 1,000 tasks in flight, for about 2 MiB
# more resident memory at its peak (docs/benchmarks.md, "What changed the
# figures"). Its options are in runtime/cli/jemalloc_options.c.
#
# Only the executable links it: the runtime library (and so the client
# library and the tests that link it) keeps whatever allocator its host
# program has. Plugins loaded by `fastqueue` allocate from jemalloc too,
# since it replaces malloc for the whole process; the plugin ABI never frees
# across the boundary, so that is safe either way.
#
# Sanitizer builds always use the system allocator: ASan and TSan replace
# malloc themselves.
#
# fastqueue_link_allocator(TARGET OPTIONS_SOURCE) links the chosen allocator
# into TARGET, and with jemalloc also OPTIONS_SOURCE, the C file that defines
# jemalloc's built-in options (malloc_conf).

set(FASTQUEUE_ALLOCATOR "jemalloc" CACHE STRING
  "malloc of the fastqueue executable: jemalloc or system")
set_property(CACHE FASTQUEUE_ALLOCATOR PROPERTY STRINGS jemalloc system)
if(NOT FASTQUEUE_ALLOCATOR MATCHES "^(jemalloc|system)$")
  message(FATAL_ERROR "FASTQUEUE_ALLOCATOR: unknown allocator '${FASTQUEUE_ALLOCATOR}' "
    "(use jemalloc or system)")
endif()

set(fastqueue_effective_allocator "${FASTQUEUE_ALLOCATOR}")
if(FASTQUEUE_SANITIZE AND fastqueue_effective_allocator STREQUAL "jemalloc")
  message(STATUS "FastQueue allocator: system (sanitizers replace malloc)")
  set(fastqueue_effective_allocator "system")
endif()

if(fastqueue_effective_allocator STREQUAL "jemalloc")
  pkg_check_modules(JEMALLOC IMPORTED_TARGET jemalloc)
  if(NOT JEMALLOC_FOUND)
    message(FATAL_ERROR "FASTQUEUE_ALLOCATOR=jemalloc needs jemalloc's pkg-config file: "
      "run scripts/install-deps.sh (libjemalloc-dev), or configure with "
      "-DFASTQUEUE_ALLOCATOR=system")
  endif()
  message(STATUS "FastQueue allocator: jemalloc ${JEMALLOC_VERSION}")
endif()

function(fastqueue_link_allocator target options_source)
  if(fastqueue_effective_allocator STREQUAL "jemalloc")
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
    target_sources(${target} PRIVATE "${options_source}")
  endif()
endfunction()

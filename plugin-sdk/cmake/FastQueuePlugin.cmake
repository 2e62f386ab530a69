# fastqueue_add_plugin(<name> SOURCES <src>...)
# Builds a FastQueue task plugin: a MODULE library lib<name>.so linked to the
# SDK headers, with hidden visibility so that only the entry symbol is exported.
function(fastqueue_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES")
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE FastQueue::PluginSDK)
  set_target_properties(${name} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED FASTQUEUE_BUILD_MODULES_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${FASTQUEUE_BUILD_MODULES_DIR}")
  endif()
  if(TARGET fastqueue_modules)
    add_dependencies(fastqueue_modules ${name})
  endif()
endfunction()

# fastqueue_add_plugin(<name> SOURCES <src>...)
#
# Builds a FastQueue task plugin: a MODULE library lib<name>.so linked to the
# SDK headers (FastQueue::PluginSDK), with hidden visibility so that only the
# entry symbol is exported and two plugins never share inline code.
#
# The same function serves the FastQueue tree and plugin projects built out of
# tree against the installed SDK (find_package(FastQueuePluginSDK)). In the
# tree, plugins land in FASTQUEUE_BUILD_MODULES_DIR and become dependencies of
# the fastqueue_modules target; out of tree, neither is defined and the plugin
# lands in the project's usual library output directory.
function(fastqueue_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "fastqueue_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE FastQueue::PluginSDK)
  set_target_properties(${name} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # plugin.hpp needs C++17; a higher standard set by the project still wins.
  get_property(enabled_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("CXX" IN_LIST enabled_languages)
    target_compile_features(${name} PRIVATE cxx_std_17)
  endif()
  if(DEFINED FASTQUEUE_BUILD_MODULES_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${FASTQUEUE_BUILD_MODULES_DIR}")
  endif()
  if(TARGET fastqueue_modules)
    add_dependencies(fastqueue_modules ${name})
  endif()
endfunction()

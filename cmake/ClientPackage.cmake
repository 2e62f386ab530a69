# ClientPackage.cmake -- installs the client library as the CMake package
# FastQueueClient, so that a program built out of tree uses it with
#   find_package(FastQueueClient 0.3) + target_link_libraries(app FastQueue::client)
#
# Included by runtime/CMakeLists.txt once the layer targets exist. Everything
# installed here belongs to the install component "client":
#   cmake --install <build> --component client --prefix <dir>
# installs the static libraries of the client and the layers under it
# (common, protocol, transport) into lib/, their public headers
# (fastqueue/client.hpp, task.hpp, subworker_status.hpp) into include/, and
# the package files into lib/cmake/FastQueueClient. The package's version is
# the project's.
include(CMakePackageConfigHelpers)
set(FASTQUEUE_CLIENT_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/FastQueueClient")

# Exported names: FastQueue::client, and FastQueue::common, ::protocol,
# ::transport, ::zmq, which FastQueue::client links.
set(client_package_targets fastqueue_client fastqueue_transport fastqueue_protocol
  fastqueue_common fastqueue_zmq)
foreach(target IN LISTS client_package_targets)
  string(REGEX REPLACE "^fastqueue_" "" export_name "${target}")
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
endforeach()

install(TARGETS ${client_package_targets}
  EXPORT FastQueueClientTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  COMPONENT client)
# Only the public headers: each layer's include/fastqueue/. The layers'
# internal headers stay in the tree; no public header includes one.
foreach(layer client common protocol)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/runtime/${layer}/include/fastqueue"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    COMPONENT client
    FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(EXPORT FastQueueClientTargets
  NAMESPACE FastQueue::
  DESTINATION "${FASTQUEUE_CLIENT_CMAKE_DIR}"
  COMPONENT client)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/FastQueueClientConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/FastQueueClientConfig.cmake"
  INSTALL_DESTINATION "${FASTQUEUE_CLIENT_CMAKE_DIR}")
# While the major version is 0 a minor release may change the client's API,
# so find_package(FastQueueClient 0.3) accepts 0.3.x only.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/FastQueueClientConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)
install(FILES
    "${PROJECT_BINARY_DIR}/FastQueueClientConfig.cmake"
    "${PROJECT_BINARY_DIR}/FastQueueClientConfigVersion.cmake"
  DESTINATION "${FASTQUEUE_CLIENT_CMAKE_DIR}"
  COMPONENT client)

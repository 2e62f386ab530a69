#!/bin/sh
# out_of_tree_test.sh -- proves a program can use the client library through
# its installed CMake package alone:
#   1. installs the "client" component of this build into a temporary prefix;
#   2. configures and builds tests/client_package/consumer against it
#      (find_package(FastQueueClient 0.3));
#   3. runs the program, which expects the "unreachable" error from a control
#      plane that is not there (127.0.0.1 only).
# Usage: out_of_tree_test.sh CMAKE BUILD_DIR CONSUMER_SOURCE_DIR CXX_COMPILER [LINK_FLAGS]
# LINK_FLAGS: what a sanitizer build's libraries need at link time.
set -eu

CMAKE=$1
BUILD=$2
CONSUMER_SOURCE=$3
CXX_COMPILER=$4
LINK_FLAGS=${5:-}

# shellcheck source=tests/out_of_tree_lib.sh
. "$(dirname "$0")/../out_of_tree_lib.sh"
out_of_tree_start client

install_component "$CMAKE" "$BUILD" client
for header in client.hpp task.hpp subworker_status.hpp; do
    [ -f "$PREFIX/include/fastqueue/$header" ] || fail "fastqueue/$header was not installed"
done
[ -f "$PREFIX/lib/cmake/FastQueueClient/FastQueueClientConfig.cmake" ] ||
    fail "FastQueueClientConfig.cmake was not installed"

build_consumer "$CMAKE" "$CONSUMER_SOURCE" "$CXX_COMPILER" "$LINK_FLAGS"
PROGRAM="$TMP_BUILD/unreachable"
[ -x "$PROGRAM" ] || fail "the build did not produce $PROGRAM"

OUTPUT=$("$PROGRAM" 2>&1) || { echo "$OUTPUT" >&2; fail "the consumer program failed"; }
echo "$OUTPUT"
echo "$OUTPUT" | grep -q "no answer from tcp://127.0.0.1:" ||
    fail "the unreachable error does not name the address"
echo "out_of_tree_test: a program built against the installed client package runs"

#!/bin/sh
# out_of_tree_test.sh -- proves a plugin author can build a plugin against the
# installed SDK alone, and that the runtime loads the result:
#   1. installs the "sdk" component of this build into a temporary prefix;
#   2. configures and builds tests/sdk/consumer against it (find_package);
#   3. runs `fastqueue list --task-modules <the built .so>` and expects the
#      consumer's task name and description in its output.
# Usage: out_of_tree_test.sh CMAKE BUILD_DIR CONSUMER_SOURCE_DIR FASTQUEUE CXX_COMPILER
set -eu

CMAKE=$1
BUILD=$2
CONSUMER_SOURCE=$3
FASTQUEUE=$4
CXX_COMPILER=$5

# shellcheck source=tests/out_of_tree_lib.sh
. "$(dirname "$0")/../out_of_tree_lib.sh"
out_of_tree_start sdk

install_component "$CMAKE" "$BUILD" sdk
[ -f "$PREFIX/include/fastqueue/plugin.h" ] || fail "plugin.h was not installed"
[ -f "$PREFIX/include/fastqueue/plugin.hpp" ] || fail "plugin.hpp was not installed"

build_consumer "$CMAKE" "$CONSUMER_SOURCE" "$CXX_COMPILER"
PLUGIN="$TMP_BUILD/libgreeter.so"
[ -f "$PLUGIN" ] || fail "the build did not produce $PLUGIN"

OUTPUT=$("$FASTQUEUE" list --task-modules "$PLUGIN" 2>&1) ||
    { echo "$OUTPUT" >&2; fail "fastqueue list failed to load $PLUGIN"; }
echo "$OUTPUT"
echo "$OUTPUT" | grep -q "greet" || fail "task 'greet' missing from fastqueue list"
echo "$OUTPUT" | grep -q "Greets someone by name" || fail "greet's description missing"
echo "out_of_tree_test: plugin built against the installed SDK loads"

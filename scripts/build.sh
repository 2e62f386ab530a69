#!/usr/bin/env bash
# Configures and builds FastQueue into ./build (or $FASTQUEUE_BUILD_DIR).
# Extra arguments are passed to `cmake --build` (e.g. --target fastqueue);
# extra configure options come from $FASTQUEUE_CMAKE_ARGS (space-separated,
# e.g. "-DFASTQUEUE_SANITIZE=thread"). The build type is $CMAKE_BUILD_TYPE,
# RelWithDebInfo by default.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${FASTQUEUE_BUILD_DIR:-build}"
generator=()
if command -v ninja >/dev/null && [ ! -f "$build_dir/CMakeCache.txt" ]; then
  generator=(-G Ninja)
fi
read -r -a configure_args <<<"${FASTQUEUE_CMAKE_ARGS:-}"
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" \
  "${configure_args[@]}"
cmake --build "$build_dir" -j "$(nproc)" "$@"

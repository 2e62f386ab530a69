#!/usr/bin/env bash
# The one command that takes a fresh Debian 12 machine to a tested build:
# installs what is missing, builds everything and runs every test, then
# rebuilds with sanitizers (clang) and runs the tests again under them:
#
#   1. ./build        normal build, every test (ctest, as a developer runs it)
#   2. ./build-asan   ASan + UBSan: the unit, e2e and fuzz labels; each
#                     fuzzer runs 30 s over a copy of its seed corpus
#   3. ./build-tsan   TSan: the unit label
#
# FASTQUEUE_QUICK=1 stops after stage 1 (for developers; CI runs all three).
# The sanitizer builds are Debug (-O0) and build only what their tests need;
# CONTRIBUTING.md ("Sanitizers and fuzzing") says why and how long each takes.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"
timings=()

# Each build here compiles everything, so each is a unity build: CMake
# batches a target's sources into a few translation units, which saves a
# quarter of the build time on 2 cores. (Developers' own builds, through
# scripts/build.sh alone, stay file by file for quick incremental builds.)
unity_build="-DCMAKE_UNITY_BUILD=ON"

# Runs "$@" as one named stage and records its wall time.
stage() {
  local name=$1
  shift
  local started=$SECONDS
  echo "=== test.sh: $name"
  "$@"
  timings+=("$(printf '%-28s %4d s' "$name" $((SECONDS - started)))")
}

# Configures and builds one sanitizer build:
#   build_sanitized DIR SANITIZERS "EXTRA CMAKE ARGS" [TARGET...]
build_sanitized() {
  local dir=$1 sanitizers=$2 extra=$3
  shift 3
  CC=clang CXX=clang++ CMAKE_BUILD_TYPE=Debug FASTQUEUE_BUILD_DIR="$dir" \
    FASTQUEUE_CMAKE_ARGS="-DFASTQUEUE_SANITIZE=$sanitizers -DFASTQUEUE_BUILD_TOOLS=OFF $unity_build $extra" \
    scripts/build.sh "$@"
}

stage "install-deps" scripts/install-deps.sh
build_dir="${FASTQUEUE_BUILD_DIR:-build}"
stage "build" env FASTQUEUE_CMAKE_ARGS="${FASTQUEUE_CMAKE_ARGS:-} $unity_build" scripts/build.sh
stage "tests" ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"

if [ "${FASTQUEUE_QUICK:-0}" != "1" ]; then
  # 30 s per fuzzer (the build's default is 60) keeps CI near its aim.
  stage "asan+ubsan build" build_sanitized build-asan address,undefined -DFASTQUEUE_FUZZ_SECONDS=30
  stage "asan+ubsan unit,e2e,fuzz" \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" -L 'unit|e2e|fuzz'
  stage "tsan build" build_sanitized build-tsan thread "" --target fastqueue_unit_tests
  stage "tsan unit" ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L unit
fi

echo "=== test.sh: wall time per stage"
printf '%s\n' "${timings[@]}"
if [ "${FASTQUEUE_QUICK:-0}" = "1" ]; then
  echo "test.sh: FASTQUEUE_QUICK=1, the sanitizer stages were skipped"
fi
echo "test.sh: every stage passed"

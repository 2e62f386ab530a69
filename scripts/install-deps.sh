#!/usr/bin/env bash
# Installs the Debian 12 packages FastQueue needs to build and test, and
# nothing else. Packages already present are left alone; apt runs only when
# something is missing. Needs root (or sudo) only in that case.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libzmq3-dev cppzmq-dev
  libboost-dev
  libspdlog-dev libfmt-dev
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  # Reads RESULT metadata (runtime/protocol/flat_json.hpp).
  libsimdjson-dev
  doctest-dev
  # Checks that the runtime's includes follow its layers (tests/layers/).
  python3
  # Checks that every source is laid out as .clang-format says (tests/format/).
  clang-format
  # The fastqueue executable's allocator (cmake/Allocator.cmake).
  libjemalloc-dev
  # The sanitizer builds and the libFuzzer targets of scripts/test.sh: clang,
  # its sanitizer and libFuzzer runtimes (not pulled in without recommends)
  # and llvm-symbolizer, which turns sanitizer stack traces into file:line.
  clang libclang-rt-dev llvm
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

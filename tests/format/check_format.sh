#!/bin/sh
# Fails, naming each file, when a C or C++ source of FastQueue is not laid
# out as .clang-format says: `clang-format -i FILE` fixes it. Run by ctest
# (test format_sources) from the source tree's root.
#   check_format.sh SOURCE_DIR [CLANG_FORMAT]
set -eu
root=$1
clang_format=${2:-clang-format}
cd "$root"
status=0
checked=0
for file in $(find runtime plugin-sdk plugins tests tools \
                -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.c' \) \
                -not -path 'tests/fuzz/corpus/*' | sort); do
  checked=$((checked + 1))
  if ! "$clang_format" --dry-run --Werror "$file" >/dev/null 2>&1; then
    echo "check_format: $file is not formatted (clang-format -i $file)"
    status=1
  fi
done
if [ "$checked" -eq 0 ]; then
  echo "check_format: no sources found under $root" >&2
  exit 1
fi
echo "check_format: $checked files checked"
exit $status

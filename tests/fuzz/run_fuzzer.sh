#!/bin/sh
# Runs one libFuzzer target for a bounded time, as the "fuzz" ctest tests do:
#   run_fuzzer.sh FUZZER SEED_CORPUS_DIR WORK_DIR SECONDS [LIBFUZZER_FLAG...]
# The seed corpus is copied into WORK_DIR/corpus and the fuzzer works on the
# copy, so the committed seeds never change. Inputs that crash land in
# WORK_DIR/artifacts/ (libFuzzer prints the path); the exit code is the
# fuzzer's, non-zero on any finding.
#
# -max_len is the largest seed's size (at least libFuzzer's default of 4096):
# libFuzzer would otherwise cut seeds above 1 MiB, and the deep seeds must
# reach the target whole. -timeout is generous because this build parses
# JSON some fifty times slower than a release build (-O0, ASan, coverage on
# every comparison): a 200 KB document takes seconds on a loaded machine.
# -entropic_scale_per_exec_time=1 lets the fuzzer mutate the slow hostile
# seeds less often than the fast ones: with it, the deep seeds cost a
# protocol_decode run about half its speed instead of 99 %.
#
# The stack is raised to 64 MiB: at -O0 with ASan, the plugin wrapper's JSON
# writer (recursive, bounded by the documented 1,024 levels) takes about
# 8.5 KB of stack per level, so a document at the limit needs ~9 MB, over
# the usual 8 MiB. An optimised build needs under 256 KB (measured with
# nlohmann::json at -O2: 1,024 levels dump and copy within a 256 KB stack).
set -eu
ulimit -s 65536 2>/dev/null || echo "run_fuzzer.sh: could not raise the stack limit to 64 MiB" >&2
fuzzer=$1
seeds=$2
work=$3
seconds=$4
shift 4

rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"
max_len=$(find "$seeds" -type f -printf '%s\n' | sort -n | tail -n 1)
if [ "${max_len:-0}" -lt 4096 ]; then max_len=4096; fi
exec "$fuzzer" "$work/corpus" \
  -max_total_time="$seconds" \
  -timeout=25 \
  -max_len="$max_len" \
  -entropic_scale_per_exec_time=1 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" \
  "$@"

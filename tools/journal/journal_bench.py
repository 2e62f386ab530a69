#!/usr/bin/env python3
"""journal_bench.py -- fastqueue-bench with and without the journal, side by
side (docs/benchmarks.md, "Journal"): echo, 32 B, the control plane alone
and through one subworker, 1,000 in flight (throughput) and 1 in flight
(p50), in memory and with --journal-fsync always and 50 (ms). Each run gets a
fresh journal directory, removed afterwards.

Usage: journal_bench.py BUILD_DIR [RUNS] [OUT_DIR]

Prints one markdown table of medians over RUNS runs (default 3), with each
journal row's throughput as a fraction of the in-memory row and its p50 minus
the in-memory p50. Each run's JSON is kept in OUT_DIR (default
/tmp/fastqueue-journal-bench). It prints numbers; it asserts none."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

BUILD = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
OUT = sys.argv[3] if len(sys.argv) > 3 else "/tmp/fastqueue-journal-bench"
BENCH = os.path.join(BUILD, "runtime", "fastqueue-bench")

MODES = [("memory", None), ("always", "always"), ("50 ms", "50")]
LOADS = [("k=1000", 1000, 30000), ("k=1", 1, 2000)]


def run_once(subworkers, in_flight, tasks, fsync, name, run):
    command = [BENCH, "--spawn-subworkers", str(subworkers), "--payload-bytes", "32",
               "--in-flight", str(in_flight), "--tasks", str(tasks), "--json",
               "--max-seconds", "300"]
    journal_parent = None
    if fsync is not None:
        journal_parent = tempfile.mkdtemp(prefix="fastqueue-journal-bench-")
        command += ["--journal-dir", os.path.join(journal_parent, "journal"),
                    "--journal-fsync", fsync]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    finally:
        if journal_parent:
            shutil.rmtree(journal_parent, ignore_errors=True)
    with open(os.path.join(OUT, f"{name.replace(' ', '_')}-{run}.json"), "w") as file:
        file.write(done.stdout)
    if done.returncode != 0:
        print(f"| {name} | run {run} FAILED: {done.stderr.strip()[:200]} |", flush=True)
        return None
    return json.loads(done.stdout)["fastqueue"]


def main():
    os.makedirs(OUT, exist_ok=True)
    print("| scenario | journal | tasks/s | of in-memory | p50 us | p50 added us | p99 us |")
    print("|---|---|---|---|---|---|---|")
    for subworkers in (0, 1):
        for load, in_flight, tasks in LOADS:
            memory = None
            for mode, fsync in MODES:
                name = f"cp+{subworkers}sw 32B {load} {mode}"
                results = [r for r in (run_once(subworkers, in_flight, tasks, fsync, name, run)
                                       for run in range(RUNS)) if r]
                if not results:
                    continue
                rate = statistics.median(r["tasks_per_second"] for r in results)
                p50 = statistics.median(r["latency_us"]["p50"] for r in results)
                p99 = statistics.median(r["latency_us"]["p99"] for r in results)
                if fsync is None:
                    memory = (rate, p50)
                share = f"{rate / memory[0]:.2f}" if memory and fsync else "-"
                added = f"{p50 - memory[1]:.0f}" if memory and fsync else "-"
                print(f"| cp+{subworkers}sw 32B {load} ({len(results)} runs) | {mode} | {rate:.0f} "
                      f"| {share} | {p50:.0f} | {added} | {p99:.0f} |", flush=True)


main()

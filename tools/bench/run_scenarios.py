#!/usr/bin/env python3
"""run_scenarios.py -- runs every fastqueue-bench scenario of docs/benchmarks.md
RUNS times each and prints one markdown table of medians (FastQueue, baseline,
ratio). Usage: run_scenarios.py BUILD_DIR [RUNS] [OUT_DIR]. Each run's JSON is
kept in OUT_DIR (default /tmp/fastqueue-bench-results) so figures can be traced
back to the run that produced them."""
import json
import os
import statistics
import subprocess
import sys

BUILD = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
OUT = sys.argv[3] if len(sys.argv) > 3 else "/tmp/fastqueue-bench-results"
BENCH = os.path.join(BUILD, "runtime", "fastqueue-bench")

# name, subworkers, payload bytes, in flight, tasks, extra flags
SCENARIOS = []
for subworkers in (0, 1, 2):
    SCENARIOS += [
        (f"cp+{subworkers}sw 32B k=1", subworkers, 32, 1, 2000, []),
        (f"cp+{subworkers}sw 32B k=1000", subworkers, 32, 1000, 30000, []),
        (f"cp+{subworkers}sw 64KiB k=1", subworkers, 65536, 1, 500, []),
        (f"cp+{subworkers}sw 64KiB k=1000", subworkers, 65536, 1000, 2000, []),
    ]
SCENARIOS += [
    ("cp+1sw(prefetch 2) 32B k=1000", 1, 32, 1000, 30000, ["--subworker-prefetch", "2"]),
    ("cp+2sw(c=1) 32B k=1000", 2, 32, 1000, 30000, ["--subworker-concurrency", "1"]),
    ("cp+64sw(c=1) 32B k=1000", 64, 32, 1000, 30000, ["--subworker-concurrency", "1"]),
    # The same pair with a fixed window of 2 per subworker: what the fleet
    # costs apart from how large each subworker's batches are.
    ("cp+2sw(c=1, prefetch 2) 32B k=1000", 2, 32, 1000, 30000,
     ["--subworker-concurrency", "1", "--subworker-prefetch", "2"]),
    ("cp+64sw(c=1, prefetch 2) 32B k=1000", 64, 32, 1000, 30000,
     ["--subworker-concurrency", "1", "--subworker-prefetch", "2"]),
    # The fleet under a light load: 8 tasks in flight, so that most of the 64
    # are idle at any moment, and each dispatch goes to an idle one.
    ("cp+2sw(c=1) 32B k=8", 2, 32, 8, 20000, ["--subworker-concurrency", "1"]),
    ("cp+64sw(c=1) 32B k=8", 64, 32, 8, 20000, ["--subworker-concurrency", "1"]),
    # 64 registered, most of them idle: the 2 above, and 62 that load the
    # test plugin fq_test_ok, which has no echo, so they are never sent one.
    ("cp+2sw(c=1)+62 idle 32B k=1000", 2, 32, 1000, 30000,
     ["--subworker-concurrency", "1", "--idle-subworkers", "62"]),
]
# A task with no JSON handling of its own (fq_test_ok's test_ok_echo returns
# its input unchanged; built with the tests), to show the runtime's cost apart
# from the example echo's. Needs a build with FASTQUEUE_BUILD_TESTS=ON.
RETURNS_INPUT = ["--task", "test_ok_echo", "--task-modules", "fq_test_ok", "--returns-input"]
for subworkers in (0, 1):
    SCENARIOS += [
        (f"cp+{subworkers}sw raw 32B k=1000", subworkers, 32, 1000, 30000, RETURNS_INPUT),
        (f"cp+{subworkers}sw raw 64KiB k=1", subworkers, 65536, 1, 500, RETURNS_INPUT),
        (f"cp+{subworkers}sw raw 64KiB k=1000", subworkers, 65536, 1000, 2000, RETURNS_INPUT),
    ]

# 64 KiB in the steady state: 5,000 unmeasured warm-up tasks first fill the
# result cache (its default 256 MiB hold about 4,000 such results), so that
# every measured result takes the memory of one evicted. In the 2,000-task
# rows above the cache grows all run long, and every result is written to
# memory the process never touched (a page fault per 4 KiB).
WARM = ["--warmup-tasks", "5000"]
SCENARIOS += [
    ("cp+0sw 64KiB k=1000 warm", 0, 65536, 1000, 10000, WARM),
    ("cp+0sw raw 64KiB k=1000 warm", 0, 65536, 1000, 10000, WARM + RETURNS_INPUT),
    ("cp+1sw 64KiB k=1000 warm", 1, 65536, 1000, 10000, WARM),
]

def command(subworkers, payload, in_flight, tasks, extra):
    return [BENCH, "--spawn-subworkers", str(subworkers), "--payload-bytes", str(payload),
            "--in-flight", str(in_flight), "--tasks", str(tasks), "--baseline", "--json",
            "--max-seconds", "120"] + extra


def main():
    os.makedirs(OUT, exist_ok=True)
    only = os.environ.get("ONLY")
    print("| scenario | tasks/s (base, ratio) | FQ/1 wire shape tasks/s; p50 us (fastqueue tasks/s / shape's) | MB/s (base, ratio) | p50 us (pipelined base; req/rep) | "
          "p99 us | p99.9 us | max us | p50/req-rep p50 | CPU us/task (client; CP; total; base) | "
          "CP peak RSS MiB | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, subworkers, payload, in_flight, tasks, extra in SCENARIOS:
        if only and only not in name:
            continue
        results = []
        for run in range(RUNS):
            cmd = command(subworkers, payload, in_flight, tasks, extra)
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            path = os.path.join(OUT, f"{name.replace(' ', '_')}-{run}.json")
            with open(path, "w") as file:
                file.write(done.stdout)
            if done.returncode != 0:
                print(f"| {name} | run {run} FAILED: {done.stderr.strip()[:200]} |", flush=True)
                continue
            results.append(json.loads(done.stdout))
        if not results:
            continue

        def med(*path):
            values = []
            for result in results:
                value = result
                for key in path:
                    value = value[key]
                values.append(value)
            return statistics.median(values)

        fq, base = ("fastqueue",), ("baseline", "pipelined")
        print(f"| {name} ({len(results)} runs) "
              f"| {med(*fq, 'tasks_per_second'):.0f} ({med(*base, 'tasks_per_second'):.0f}, "
              f"{med('ratios', 'tasks_per_second'):.3f}) "
              f"| {results[0]['ratios']['wire_shape']} "
              f"{med('baseline', 'wire_shapes', -1, 'tasks_per_second'):.0f}; "
              f"p50 {med('baseline', 'wire_shapes', -1, 'latency_us', 'p50'):.0f} "
              f"({med('ratios', 'tasks_per_second_vs_wire_shape'):.2f}) "
              f"| {med(*fq, 'bytes_per_second') / 1e6:.2f} ({med(*base, 'bytes_per_second') / 1e6:.1f}, "
              f"{med('ratios', 'bytes_per_second'):.3f}) "
              f"| {med(*fq, 'latency_us', 'p50'):.0f} ({med(*base, 'latency_us', 'p50'):.0f}; "
              f"{med('baseline', 'req_rep', 'latency_us', 'p50'):.0f}) "
              f"| {med(*fq, 'latency_us', 'p99'):.0f} ({med(*base, 'latency_us', 'p99'):.0f}) "
              f"| {med(*fq, 'latency_us', 'p999'):.0f} "
              f"| {med(*fq, 'latency_us', 'max'):.0f} "
              f"| {med('ratios', 'p50_vs_req_rep_p50'):.2f} "
              f"| {med('load_cpu_us_per_task', 'load-generator'):.1f}; "
              f"{med('load_cpu_us_per_task', 'control-plane'):.1f}; "
              f"{med('load_cpu_us_per_task', 'total'):.1f}; "
              f"{med(*base, 'cpu_us_per_round_trip'):.1f} "
              f"| {med('peak_rss_bytes', 'control-plane') / 2**20:.1f} "
              f"| {results[-1]['load_average']} |", flush=True)


main()

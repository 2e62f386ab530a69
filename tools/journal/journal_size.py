#!/usr/bin/env python3
"""journal_size.py -- the size of a control plane's journal over a long run
(docs/benchmarks.md, "Journal"): compaction must keep it within about twice
the live data plus one segment however many tasks pass through.

Usage: journal_size.py BUILD_DIR [--tasks N] [--journal-fsync MODE]
                       [--segment-bytes N] [--subworkers N] [--in-flight K]

A control plane with --journal-dir (and --subworkers subworkers, each with
mytasks) runs N echo tasks of 32 B from fastqueue-bench with K in flight,
every result read. Every second the script samples the journal directory
(the summed size of its files, and its segment count) and the control
plane's VmRSS, writing each sample to samples.csv; after the load it samples
--settle-seconds more. It prints the largest and the final size, the samples
every --print-seconds; then it SIGKILLs the control plane and starts it again
on the journal, and prints its log lines that mention the journal (the
recovery line counts the live tasks). It prints numbers; it asserts none."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_control_plane import (ControlPlane, free_port_block, journal_bytes,  # noqa: E402
                                 resident_kib, stop_on_sigterm)

SAMPLE_SECONDS = 1.0
SUBWORKER_PORTS = 4


def start_subworkers(control_plane, build_dir, count, log_path):
    subworkers = []
    for index in range(count):
        port = free_port_block(SUBWORKER_PORTS)
        with open(log_path, "a") as log:
            subworkers.append(subprocess.Popen(
                [control_plane.fastqueue, "subworker", "--worker-id", f"journal-size-sw{index + 1}",
                 "--control-plane-address", control_plane.address,
                 "--base-address", f"tcp://127.0.0.1:{port}", "--task-modules", "mytasks",
                 "--modules-dir", os.path.join(build_dir, "modules"), "--log-level", "warn"],
                stdout=log, stderr=subprocess.STDOUT))
    return subworkers


def active_subworkers(control_plane):
    code, text = control_plane.cli("workers", "--json")
    if code != 0:
        return -1
    status = json.loads(text)
    return status.get("active_subworkers", status.get("active", -1))


def mib(size):
    return f"{size / 2**20:.1f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir")
    parser.add_argument("--tasks", type=int, default=10000000)
    parser.add_argument("--journal-fsync", default="always")
    parser.add_argument("--segment-bytes", type=int, default=0,
                        help="--journal-segment-bytes (default: fastqueue's)")
    parser.add_argument("--subworkers", type=int, default=0)
    parser.add_argument("--in-flight", type=int, default=1000)
    parser.add_argument("--settle-seconds", type=float, default=5)
    parser.add_argument("--print-seconds", type=float, default=30)
    parser.add_argument("--max-seconds", type=float, default=86400,
                        help="bound on the load (fastqueue-bench --max-seconds)")
    parser.add_argument("--keep", action="store_true", help="keep the journal, log and samples")
    options = parser.parse_args()

    stop_on_sigterm()
    work = tempfile.mkdtemp(prefix="fastqueue-journal-size-")
    journal = os.path.join(work, "journal")
    log = os.path.join(work, "control-plane.log")
    flags = ["--journal-fsync", options.journal_fsync]
    if options.segment_bytes:
        flags += ["--journal-segment-bytes", str(options.segment_bytes)]
    control_plane = ControlPlane(options.build_dir, journal, log, flags)
    subworkers = []
    bench_process = None
    try:
        control_plane.start()
        control_plane.wait_answering()
        if options.subworkers:
            subworkers = start_subworkers(control_plane, options.build_dir, options.subworkers,
                                          os.path.join(work, "subworkers.log"))
            control_plane.wait_until(
                lambda: active_subworkers(control_plane) >= options.subworkers, 60)
        bench = os.path.join(options.build_dir, "runtime", "fastqueue-bench")
        bench_output = open(os.path.join(work, "bench.json"), "w+")
        bench_process = subprocess.Popen(
            [bench, "--control-plane-address", control_plane.address, "--tasks",
             str(options.tasks), "--in-flight", str(options.in_flight), "--json",
             "--max-seconds", str(options.max_seconds)],
            stdout=bench_output, stderr=subprocess.DEVNULL)

        start = time.monotonic()
        largest = (0, 0, 0.0)  # bytes, segments, seconds into the run
        load_end = None
        next_print = start
        with open(os.path.join(work, "samples.csv"), "w") as samples:
            samples.write("seconds,journal_bytes,segments,control_plane_rss_kib\n")
            while True:
                now = time.monotonic()
                size, segments = journal_bytes(journal)
                rss = resident_kib(control_plane.process.pid)
                samples.write(f"{now - start:.1f},{size},{segments},{rss}\n")
                if size > largest[0]:
                    largest = (size, segments, now - start)
                if now >= next_print:
                    print(f"{now - start:7.0f} s  journal {mib(size):>10} in {segments:3} "
                          f"segments, control plane RSS {rss / 1024:.1f} MiB", flush=True)
                    next_print = now + options.print_seconds
                if load_end is None and bench_process.poll() is not None:
                    load_end = (now, size, segments)
                if load_end is not None and now - load_end[0] >= options.settle_seconds:
                    break
                time.sleep(SAMPLE_SECONDS)
        final_size, final_segments = journal_bytes(journal)

        bench_output.seek(0)
        text = bench_output.read()
        result = json.loads(text)["fastqueue"] if text.strip() else {}
        load_seconds = load_end[0] - start
        print(f"tasks                 {options.tasks} ({result.get('completed', '?')} answered, "
              f"valid {json.loads(text).get('valid') if text.strip() else '?'}), "
              f"{options.subworkers} subworkers, fsync {options.journal_fsync}, "
              f"{load_seconds:.0f} s, {result.get('tasks_per_second', 0):.0f} tasks/s")
        print(f"largest journal       {mib(largest[0])} ({largest[0]} bytes, {largest[1]} "
              f"segments) at {largest[2]:.0f} s")
        print(f"at the end of load    {mib(load_end[1])} ({load_end[1]} bytes, {load_end[2]} "
              f"segments)")
        print(f"after {options.settle_seconds:g} s more     {mib(final_size)} ({final_size} bytes, "
              f"{final_segments} segments)")
        # What is live at the end: a restart on the journal reports the tasks
        # it recovered (queued, scheduled, running, finished).
        control_plane.kill(signal.SIGKILL)
        control_plane.start()
        restart_seconds = control_plane.wait_answering(600)
        print(f"restart on it         answering after {restart_seconds:.2f} s")
        with open(log, errors="replace") as file:
            journal_lines = [line.rstrip() for line in file
                             if "journal" in line.lower() and "journal-size-sw" not in line]
        for line in journal_lines[-10:]:
            print(f"log: {line}")
    except BaseException:
        options.keep = True  # the log says why
        raise
    finally:
        if bench_process is not None and bench_process.poll() is None:
            bench_process.kill()
            bench_process.wait()
        for subworker in subworkers:
            subworker.kill()
            subworker.wait()
        control_plane.kill(signal.SIGTERM)
        if options.keep:
            print(f"kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


main()

#!/usr/bin/env python3
"""journal_recovery.py -- how long a control plane takes to come back on a
journal full of queued tasks (docs/benchmarks.md, "Journal").

Usage: journal_recovery.py BUILD_DIR [--tasks N] [--journal-fsync MODE] [--keep]

A control plane with --concurrency 0 (it runs nothing, and no subworker is
started, so every task stays queued) and --max-queued above N is filled with
N acknowledged tasks by fastqueue-bench --ack-only (echo, 32 B, 1,000 in
flight), and one more by `fastqueue submit`. It is then SIGKILLed and started
again on the same journal and ports; the script polls (10 ms) until the
submission port takes connections, until `fastqueue workers` answers, and
until `fastqueue status` of the last task says it is queued, and prints the
seconds to each, the journal's size, the control plane's memory and its log
lines about the recovery. It prints numbers; it asserts none."""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_control_plane import (ControlPlane, journal_bytes, resident_kib,  # noqa: E402
                                 stop_on_sigterm)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir")
    parser.add_argument("--tasks", type=int, default=1000000)
    parser.add_argument("--journal-fsync", default="always")
    parser.add_argument("--keep", action="store_true", help="keep the journal and the log")
    parser.add_argument("--deadline-seconds", type=float, default=1800,
                        help="bound on each wait after the restart")
    options = parser.parse_args()

    stop_on_sigterm()
    work = tempfile.mkdtemp(prefix="fastqueue-journal-recovery-")
    journal = os.path.join(work, "journal")
    log = os.path.join(work, "control-plane.log")
    control_plane = ControlPlane(options.build_dir, journal, log,
                                 ["--concurrency", "0", "--max-queued", str(options.tasks + 1000),
                                  "--journal-fsync", options.journal_fsync])
    try:
        control_plane.start()
        control_plane.wait_answering()
        bench = os.path.join(options.build_dir, "runtime", "fastqueue-bench")
        fill_start = time.monotonic()
        done = subprocess.run([bench, "--control-plane-address", control_plane.address,
                               "--ack-only", "--tasks", str(options.tasks), "--in-flight", "1000",
                               "--json", "--max-seconds", "7200"],
                              capture_output=True, text=True)
        fill_seconds = time.monotonic() - fill_start
        if done.returncode != 0:
            raise SystemExit(f"fastqueue-bench failed ({done.returncode}): {done.stderr[-500:]}")
        fill = json.loads(done.stdout)["fastqueue"]
        code, last_id = control_plane.cli("submit", "--task-name", "echo", "--args", "last",
                                          "--non-blocking", timeout_seconds=30)
        last_id = last_id.strip()
        if code != 0 or not last_id:
            raise SystemExit(f"the last submission failed ({code})")
        print(f"filled: {options.tasks} tasks in {fill_seconds:.1f} s; killing and restarting",
              flush=True)
        size, segments = journal_bytes(journal)
        rss_before = resident_kib(control_plane.process.pid)
        log_offset = os.path.getsize(log)

        control_plane.kill(signal.SIGKILL)
        control_plane.start()
        bound = control_plane.wait_until(control_plane.is_port_bound, options.deadline_seconds)
        answering = control_plane.wait_answering(options.deadline_seconds)

        def last_is_queued():
            code, text = control_plane.cli("status", "--task-id", last_id, "--json")
            return code == 0 and json.loads(text).get("status") == "queued"

        # The three waits run one after the other; each is measured from the
        # restart, so the later ones include the earlier.
        restart_elapsed = bound + answering
        recovered = restart_elapsed + control_plane.wait_until(last_is_queued,
                                                               options.deadline_seconds)
        rss_after = resident_kib(control_plane.process.pid)
        with open(log, errors="replace") as file:
            file.seek(log_offset)
            recovery_lines = [line.rstrip() for line in file
                              if re.search(r"journal|recover", line, re.IGNORECASE)]

        print(f"tasks queued          {options.tasks + 1} (fill: {fill_seconds:.1f} s, "
              f"{fill['tasks_per_second']:.0f} ACKs/s, p50 {fill['latency_us']['p50']} us)")
        print(f"journal               {size} bytes in {segments} segments "
              f"({size / (options.tasks + 1):.0f} bytes per task), fsync {options.journal_fsync}")
        print(f"port bound after      {bound:.3f} s")
        print(f"answering after       {restart_elapsed:.3f} s (fastqueue workers)")
        print(f"last task queued at   {recovered:.3f} s (fastqueue status)")
        print(f"control plane RSS     {rss_before / 1024:.1f} MiB before the kill, "
              f"{rss_after / 1024:.1f} MiB after recovery")
        for line in recovery_lines[:10]:
            print(f"log: {line}")
    except BaseException:
        options.keep = True  # the log says why
        raise
    finally:
        control_plane.kill(signal.SIGKILL)
        if options.keep:
            print(f"kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


main()

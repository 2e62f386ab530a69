"""local_control_plane.py -- what the journal measurement scripts share: a
block of free 127.0.0.1 ports, one `fastqueue control-plane` started, waited
for, killed and restarted on the same flags (and so the same journal), and
the size of a journal directory. Every wait is a poll with a deadline."""
import os
import random
import signal
import socket
import subprocess
import time

# The control plane serves base+0..5; discovery takes base+6.
PORTS_PER_CONTROL_PLANE = 7
POLL_SECONDS = 0.01


def free_port_block(count=PORTS_PER_CONTROL_PLANE):
    """The first of `count` consecutive free ports, below Linux's ephemeral
    range like the tests' ports (tools/launch/free_ports.cpp)."""
    for _ in range(200):
        base = random.randint(20000, 31990)
        probes = []
        try:
            for port in range(base, base + count):
                probe = socket.socket()
                probe.bind(("127.0.0.1", port))
                probes.append(probe)
            return base
        except OSError:
            pass
        finally:
            for probe in probes:
                probe.close()
    raise SystemExit(f"no {count} free ports found on 127.0.0.1")


def stop_on_sigterm():
    """SIGTERM raises SystemExit, so that `finally` blocks stop what the
    script started (a `timeout` around it sends SIGTERM)."""
    def stop(signal_number, frame):
        raise SystemExit(f"stopped by signal {signal_number}")
    signal.signal(signal.SIGTERM, stop)


def journal_bytes(directory):
    """(bytes, segments): the summed sizes of the journal's files, and how
    many segment files (journal-*.log) there are."""
    total = segments = 0
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return 0, 0
    for name in names:
        try:
            total += os.stat(os.path.join(directory, name)).st_size
        except FileNotFoundError:
            continue  # a segment deleted by compaction meanwhile
        if name.startswith("journal-") and name.endswith(".log"):
            segments += 1
    return total, segments


def resident_kib(pid):
    """VmRSS of `pid` in KiB, or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class ControlPlane:
    """`fastqueue control-plane` on a free port block, its output appended to
    log_path. restart() starts it again with the same flags."""

    def __init__(self, build_dir, journal_dir, log_path, extra_flags=()):
        self.fastqueue = os.path.join(build_dir, "runtime", "fastqueue")
        self.port = free_port_block()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.flags = ["control-plane", "--base-address", self.address,
                      "--discovery-address", f"tcp://127.0.0.1:{self.port + 6}",
                      "--task-modules", "mytasks",
                      "--modules-dir", os.path.join(build_dir, "modules"),
                      "--journal-dir", journal_dir, "--shutdown-grace", "0",
                      "--log-level", "info"] + list(extra_flags)
        self.process = None

    def start(self):
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen([self.fastqueue] + self.flags, stdout=log,
                                            stderr=subprocess.STDOUT)

    def kill(self, signal_number=signal.SIGKILL, timeout=60):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal_number)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def is_port_bound(self):
        """True when the control plane's submission port takes connections."""
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def cli(self, *arguments, timeout_seconds=1.0):
        """Runs `fastqueue ARGUMENTS --control-plane-address ADDRESS`; returns
        (exit code, stdout)."""
        done = subprocess.run([self.fastqueue] + list(arguments) +
                              ["--control-plane-address", self.address,
                               "--timeout", str(timeout_seconds)],
                              capture_output=True, text=True, timeout=timeout_seconds + 30)
        return done.returncode, done.stdout

    def wait_until(self, predicate, deadline_seconds):
        """Polls `predicate` until it is true (returns the seconds it took) or
        the deadline passes, or the control plane exits (raises)."""
        start = time.monotonic()
        while time.monotonic() - start < deadline_seconds:
            if self.process.poll() is not None:
                raise SystemExit(f"the control plane exited ({self.process.returncode}); "
                                 f"see {self.log_path}")
            if predicate():
                return time.monotonic() - start
            time.sleep(POLL_SECONDS)
        raise SystemExit(f"not ready within {deadline_seconds} s; see {self.log_path}")

    def wait_answering(self, deadline_seconds=60):
        return self.wait_until(lambda: self.cli("workers")[0] == 0, deadline_seconds)

#!/bin/bash
# queue_depth.sh BUILD_DIR -- the queue-depth scenario of docs/benchmarks.md,
# one cycle: a fresh control plane on free 127.0.0.1 ports with one handler thread,
# held by a 600 s `sleep` task so that nothing else runs, then 100,000
# submissions into an empty queue, 900,000 more to fill it, and 100,000 into a
# queue of 1 million. Prints each run's validity, ACK rate and p50 (us), and
# the control plane's VmRSS after it. Needs python3 to read the JSON.
set -euo pipefail
BUILD=${1:?usage: queue_depth.sh BUILD_DIR}
B=$BUILD/runtime
# The first of 7 consecutive free ports (base+0..5 and discovery), picked below
# Linux's ephemeral range like the tests' ports (tools/launch/free_ports.cpp).
PORT=$(python3 - <<'PY'
import random, socket
for _ in range(200):
    base = random.randint(20000, 31990)
    probes = []
    try:
        for port in range(base, base + 7):
            s = socket.socket()
            s.bind(("127.0.0.1", port))
            probes.append(s)
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in probes:
            s.close()
else:
    raise SystemExit("no 7 free ports found on 127.0.0.1")
PY
)
ADDR=tcp://127.0.0.1:$PORT
$B/fastqueue control-plane --base-address "$ADDR" --discovery-address "tcp://127.0.0.1:$((PORT + 6))" --task-modules mytasks --modules-dir "$BUILD/modules" --log-level warn --concurrency 1 --shutdown-grace 0 --max-queued 10000000 > /dev/null 2>&1 &
CP=$!
sleep 1
idle=$(awk '/VmRSS/{print $2}' /proc/$CP/status)
$B/fastqueue submit --control-plane-address "$ADDR" --task-name sleep --args 600 --non-blocking > /dev/null
run() { $B/fastqueue-bench --control-plane-address "$ADDR" --ack-only --tasks $1 --in-flight 1000 --json --max-seconds 200 | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['valid'], round(d['fastqueue']['tasks_per_second']), d['fastqueue']['latency_us']['p50'])"; }
echo "empty: $(run 100000) rss_kB=$(awk '/VmRSS/{print $2}' /proc/$CP/status)"
echo "fill:  $(run 900000) rss_kB=$(awk '/VmRSS/{print $2}' /proc/$CP/status)"
echo "1M:    $(run 100000) rss_kB=$(awk '/VmRSS/{print $2}' /proc/$CP/status) idle_kB=$idle"
kill "$CP"; wait "$CP" || true

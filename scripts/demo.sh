#!/usr/bin/env bash
# Brings up FastQueue's main job: installs what is missing, builds, starts a
# control plane with the example plugin (mytasks) on the default ports
# (tcp://127.0.0.1:5555..5560) and one subworker (tcp://127.0.0.1:5561..5564),
# and sends tasks through them at every priority. Both then keep running
# until Ctrl-C; pass --once to stop them after the demonstration.
set -euo pipefail
cd "$(dirname "$0")/.."

keep_running=1
[ "${1:-}" = "--once" ] && keep_running=0

scripts/install-deps.sh
scripts/build.sh --target fastqueue mytasks
build_dir="${FASTQUEUE_BUILD_DIR:-build}"
fastqueue="$build_dir/runtime/fastqueue"
address="tcp://127.0.0.1:5555"

"$fastqueue" control-plane --base-address "$address" \
  --task-modules mytasks --modules-dir "$build_dir/modules" &
control_plane=$!
subworker=""
stop_all() {
  [ -n "$subworker" ] && kill -TERM "$subworker" 2>/dev/null || true
  kill -TERM "$control_plane" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT

# Ready when a status query is answered (exit 1: "not found"), at most 15 s.
for _ in $(seq 1 75); do
  if ! kill -0 "$control_plane" 2>/dev/null; then
    echo "demo: the control plane exited; see its log above" >&2
    exit 1
  fi
  set +e
  "$fastqueue" status --task-id 00000000-0000-4000-8000-000000000000 --timeout 0.2 >/dev/null 2>&1
  status=$?
  set -e
  [ "$status" -eq 1 ] && break
  sleep 0.2
done

# One subworker; the control plane sends it work as soon as it registers.
"$fastqueue" subworker --worker-id sw1 --control-plane-address "$address" \
  --base-address tcp://127.0.0.1:5561 --task-modules mytasks --modules-dir "$build_dir/modules" &
subworker=$!
for _ in $(seq 1 75); do
  "$fastqueue" workers --json --timeout 1 2>/dev/null | grep -q '"active_subworkers":1' && break
  sleep 0.2
done

run() {
  echo "\$ fastqueue $*"
  "$fastqueue" "$@" || echo "(exit code $?)"
  echo
}
run submit --task-name add --args 2 3 --priority critical
run submit --task-name add --args 2.5 1 --priority high
run submit --task-name echo --args '{"hello": "world"}'
run submit --task-name add --kwargs '{"x": 40, "y": 2}' --priority low --json
run workers
run submit --task-name fail --args "something went wrong"
task_id=$("$fastqueue" submit --task-name sleep --args 1 --non-blocking)
echo "\$ fastqueue submit --task-name sleep --args 1 --non-blocking"
echo "$task_id"
echo
run status --task-id "$task_id"
run list --task-modules mytasks --modules-dir "$build_dir/modules"

if [ "$keep_running" -eq 1 ]; then
  echo "demo: the control plane is serving on $address with subworker sw1; from another shell:"
  echo "  $fastqueue submit --task-name add --args 1 2"
  echo "  $fastqueue workers"
  echo "demo: press Ctrl-C to stop them."
  wait "$control_plane"
fi

#!/usr/bin/env bash
# Run a local Prometheus, Alertmanager and slogen exporter against out/, on loopback ports.
#   monitoring/stack.sh up | down | status
# State (TSDB, silences, pids, logs) lives in monitoring/run/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."

RUN=${STACK_RUN:-monitoring/run}
OUT=${STACK_OUT:-out}
PY=${PY:-python3}
PROM_ADDR=${PROM_ADDR:-127.0.0.1:9090}
AM_ADDR=${AM_ADDR:-127.0.0.1:9093}
EXPORTER_CONFIG=$OUT/exporter/config.yaml

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

start() {  # name, command...
  local name=$1; shift
  if alive "$name"; then echo "$name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  nohup "$@" >>"$RUN/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
  echo "$name started (pid $!, log $RUN/$name.log)"
}

ready() {  # name, url
  for _ in $(seq 1 50); do
    if curl -fsS "$2" >/dev/null 2>&1; then echo "$1 ready at $2"; return 0; fi
    alive "$1" || { echo "$1 exited; see $RUN/$1.log" >&2; return 1; }
    sleep 0.2
  done
  echo "$1 not ready after 10s; see $RUN/$1.log" >&2; return 1
}

up() {
  mkdir -p "$RUN/prometheus" "$RUN/alertmanager"
  [ -d "$OUT/prometheus" ] || { echo "$OUT/prometheus is missing: run make generate first" >&2; exit 1; }
  "$PY" monitoring/local_config.py "$OUT" "$PROM_ADDR" "$AM_ADDR" >"$RUN/prometheus.yml"
  start alertmanager prometheus-alertmanager \
    --config.file="$OUT/alertmanager/alertmanager.yml" --storage.path="$RUN/alertmanager" \
    --web.listen-address="$AM_ADDR" --cluster.listen-address=
  start prometheus prometheus --config.file="$RUN/prometheus.yml" \
    --storage.tsdb.path="$RUN/prometheus" --web.listen-address="$PROM_ADDR" --web.enable-lifecycle
  if [ -f "$EXPORTER_CONFIG" ]; then
    start exporter "$PY" -m generator exporter --config "$EXPORTER_CONFIG"
  fi
  ready alertmanager "http://$AM_ADDR/-/ready"
  ready prometheus "http://$PROM_ADDR/-/ready"
}

down() {
  for name in exporter prometheus alertmanager; do
    if alive "$name"; then kill "$(cat "$RUN/$name.pid")" && echo "$name stopped"; fi
    rm -f "$RUN/$name.pid"
  done
}

status() {
  local rc=0
  for name in alertmanager prometheus exporter; do
    if alive "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"; else echo "$name: stopped"; rc=1; fi
  done
  if alive prometheus; then
    # A running process is not a scraped one: ask Prometheus which targets it reaches.
    curl -fsS "http://$PROM_ADDR/api/v1/targets?state=active" | "$PY" -c "$TARGETS_REPORT" || rc=1
  fi
  return $rc
}

# Reads /api/v1/targets on stdin; one line per target; exits 1 when one is down.
TARGETS_REPORT='
import json, sys
targets = json.load(sys.stdin)["data"]["activeTargets"]
down = 0
for t in sorted(targets, key=lambda t: (t["labels"]["job"], t["scrapeUrl"])):
    down += t["health"] == "down"
    error = " (" + t["lastError"] + ")" if t.get("lastError") else ""
    print("target %s %s: %s%s" % (t["labels"]["job"], t["scrapeUrl"], t["health"], error))
sys.exit(1 if down else 0)
'


case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac

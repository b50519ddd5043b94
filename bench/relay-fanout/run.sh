#!/usr/bin/env bash
# Fan-out benchmark: relay-service vs the Node baseline (../relay-baseline), alternated, see README.md.
# Needs: a JDK >= 21 (JAVA_HOME), python3, node (+ `npm ci` in ../relay-baseline), Redis on 127.0.0.1:6379 and
# the packaged relay-service (mvn -B -ntp -pl relay-service -am package -DskipTests).
# Smoke run: RUNS=1 WARMUP_S=5 PHASE_S=5 STEP_RATES=20 OVERLOAD_CLIENTS=500 LOAD_WAIT_S=0 bench/relay-fanout/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! "$java_bin" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
  echo "needs a JDK >= 21: set JAVA_HOME" >&2
  exit 2
fi
[ -d "$here/../relay-baseline/node_modules" ] || (cd "$here/../relay-baseline" && npm ci --no-audit --no-fund --loglevel=error)
# 5,000 WebSockets plus their server ends
ulimit -n "$(ulimit -Hn)" || true
exec python3 "$here/fanout.py"

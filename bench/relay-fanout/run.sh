#!/usr/bin/env bash
# Delivery-lag benchmark of one relay: 1,000 WebSocket clients, a 50-token answer each.
# Needs: a JDK >= 21, Redis on 127.0.0.1:6379, and the packaged relay-service
# (mvn -B -ntp -pl relay-service -am package -DskipTests). Knobs: CLIENTS SESSIONS TOKENS TOKEN_INTERVAL_MS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! "$java_bin" -version 2>&1 | grep -Eq 'version "(2[1-9]|[3-9][0-9])'; then
  echo "needs a JDK >= 21: set JAVA_HOME" >&2
  exit 2
fi
exec "$java_bin" "$here/RelayFanoutBench.java" "$root"

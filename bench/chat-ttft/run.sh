#!/usr/bin/env bash
# Platform overhead on time to first token (issue 5): p50/p99 over 200 turns at concurrency 1 and 20.
# Needs Redis on 127.0.0.1:6379 (or REDIS_HOST/REDIS_PORT) and builds the stand-in and chat-service offline.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  for j in /usr/lib/jvm/*; do
    if [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then JAVA_HOME=$j; fi
  done
fi
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && mvn -B -ntp -q -pl infra/llm-stub,chat-service -am package -DskipTests)
fi
exec java -Dturns="${TURNS:-200}" -DfirstTokenDelayMs="${FIRST_TOKEN_DELAY_MS:-200}" \
  -DredisHost="${REDIS_HOST:-127.0.0.1}" -DredisPort="${REDIS_PORT:-6379}" Bench.java "$ROOT"

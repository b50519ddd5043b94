#!/usr/bin/env bash
# All benchmarks of issue 7 in one command; writes bench/report.md (machine, commands, tables, ratios).
#   (a) start-up to ready, RssAnon and the breakdown per service: plain JVM vs the Leyden AOT cache  bench/startup
#   (b) relay fan-out (shared load, step-up to capacity, 5,000-connection overload) vs a Node (ws + ioredis) baseline, alternated  bench/relay-fanout
#   (c) chat turn overhead through the whole local stack at concurrency 1, 20, 100       bench/chat-ttft/StackBench.java
#   (d) history page latency in a session of 100,000 messages vs pgbench                  bench/history-page/run.sh
#
#   bench/run.sh                         # builds the five apps with -Paot (ITs train the caches), then runs everything
#   SKIP_BUILD=1 ONLY=fanout,ttft bench/run.sh
# Knobs (defaults in brackets): STARTUP_RUNS [5], STARTUP_LOAD_WAIT [60 s per start, for load < 0.5], EXTRA_VARIANTS and
# ONLY_SERVICES [none, all] (start-up trials of JVM flags beside jvm and aot: bench/startup/startup.py), FANOUT_RUNS [3] (+ bench/relay-fanout/README.md's knobs),
# TTFT_LEVELS ["1:200,20:200,100:400" = concurrency:turns per run], TTFT_REPS [3]
# (alternated direct/stack runs per level), TTFT_WARMUP [400 turns at concurrency 20],
# STACK_JAVA_OPTS [the production flags, as STARTUP_JAVA_OPTS] for the services of (c) and (d), HISTORY_N [1000 per round],
# HISTORY_ROUNDS [3], HISTORY_WARMUP [1500], HISTORY_MESSAGES [100000], LOAD_MAX [0.5] and LOAD_WAIT_S [120]
# (bounded wait for a quiet machine before each run of (c) and (d)), ONLY [startup,history,fanout,ttft].
# A smoke test of (c) and (d): SKIP_BUILD=1 ONLY=history,ttft TTFT_LEVELS=1:20,20:40 TTFT_REPS=3 TTFT_WARMUP=40 \
#   HISTORY_N=200 HISTORY_WARMUP=200 HISTORY_MESSAGES=5000 LOAD_WAIT_S=10 bench/run.sh
#
# Loopback only, ports 28080-28099, databases chat_auth_bench / chat_sessions_bench (recreated), state and logs
# in bench/target/run. Uses the Redis on 127.0.0.1:6379 and the PostgreSQL on 127.0.0.1:5432 (as infra/local).
# On a shared machine it first waits (at most WAIT_MAX seconds) while an infra/local/test.sh run is going on.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
WORK=$BENCH/target/run
LOGS=$WORK/logs
REPORT=${REPORT:-$BENCH/report.md}
ONLY=${ONLY:-startup,history,fanout,ttft}
STARTUP_RUNS=${STARTUP_RUNS:-5}
STARTUP_LOAD_WAIT=${STARTUP_LOAD_WAIT:-60}
# (a) starts the services with the production JVM flags (infra/local/run.sh, the images, infra/k8s)
STARTUP_JAVA_OPTS=${STARTUP_JAVA_OPTS:--XX:+UseSerialGC -Xms128m -Xmx128m -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError}
TTFT_LEVELS=${TTFT_LEVELS:-1:200,20:200,100:400}
TTFT_REPS=${TTFT_REPS:-3}
TTFT_WARMUP=${TTFT_WARMUP:-400}
export LOAD_MAX=${LOAD_MAX:-0.5}
LOAD_WAIT_S=${LOAD_WAIT_S:-120}
# (c) and (d) run the services with the production flags (BENCHMARKS.md rule 8), after a warm-up
STACK_JAVA_OPTS=${STACK_JAVA_OPTS:--XX:+UseSerialGC -Xms128m -Xmx128m -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError}
HISTORY_N=${HISTORY_N:-1000}
HISTORY_ROUNDS=${HISTORY_ROUNDS:-3}
HISTORY_WARMUP=${HISTORY_WARMUP:-1500}
HISTORY_MESSAGES=${HISTORY_MESSAGES:-100000}
WAIT_MAX=${WAIT_MAX:-3600}
AUTH_DB=chat_auth_bench
SESSION_DB=chat_sessions_bench
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }

# Each part replaces only its own results, so ONLY=<part> can redo one part and keep the others in the report.
mkdir -p "$LOGS"
for part in build startup history fanout ttft; do
  if want $part || { [ $part = build ] && [ "${SKIP_BUILD:-0}" != 1 ]; }; then
    rm -f "$WORK/commands-$part.md" "$WORK/$part.tsv" "$WORK/load-$part.txt" "$WORK/rss-$part.tsv"
  fi
done
# run_logged <stage> <command...>: records the command line for the report, runs it
run_logged() {
  local stage=$1; shift
  local line="$*"
  printf -- '- `%s`\n' "${line//$ROOT\//}" >> "$WORK/commands-$stage.md"
  "$@"
}
loadavg() { echo "$1 $(cut -d' ' -f1-3 /proc/loadavg)" >> "$WORK/load-${1%%-*}.txt"; }

# Our own children only: everything started here is recorded and stopped at exit.
PIDS=()
cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_quiet() { # the lead's test run owns the two cores while it runs
  local waited=0
  while pgrep -f 'infra/local/test.sh' >/dev/null && [ $waited -lt "$WAIT_MAX" ]; do
    [ $waited = 0 ] && log "an infra/local/test.sh run is going on: waiting (polling every 30 s, at most ${WAIT_MAX}s)"
    sleep 30; waited=$((waited + 30))
  done
  [ $waited = 0 ] || log "waited ${waited}s"
}

wait_http() { # wait_http <url> <seconds>
  local i
  for ((i = 0; i < $2 * 4; i++)); do curl -fs -o /dev/null "$1" && return 0; sleep 0.25; done
  return 1
}

# A JDK 25 (the AOT cache needs it); infra/local/lib.sh picks the newest JDK the same way.
for j in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*25* 2>/dev/null | sort -rV); do
  [ -n "$j" ] && [ -x "$j/bin/javac" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "25' && { JAVA_HOME=$j; break; }
done
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25' || die "needs a JDK 25 (JAVA_HOME)"
export JAVA_HOME PATH=$JAVA_HOME/bin:$PATH
for tool in curl python3 psql createdb dropdb pgbench redis-cli node npm nginx openssl; do
  command -v $tool >/dev/null || die "missing tool: $tool"
done
# 5,000 WebSockets plus their server ends: raise the soft limit to the hard one
ulimit -n "$(ulimit -Hn)" || true
[ "$(ulimit -n)" -ge 12000 ] || log "ulimit -n is $(ulimit -n): 5,000 connections may fail"

wait_quiet
date -u '+%Y-%m-%d %H:%M:%S UTC' > "$WORK/date-$(echo "$ONLY" | tr ',' '-')"

# ---------------------------------------------------------------- build (the aot profile of each module)
# -Paot: the aot-jar packaging, and each service's @QuarkusIntegrationTest against its jar records app.aot (they need
# the Redis and PostgreSQL of this machine and their databases chat_auth_it / chat_sessions_it, created when missing)
APPS="infra/llm-stub auth-service session-service chat-service relay-service"
loadavg build
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building $APPS with -Paot (log: $LOGS/build.log)"
  run_logged build mvn -B -ntp -f "$ROOT/pom.xml" -Paot -pl "${APPS// /,}" -am verify -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=AuthIT,SessionIT,ChatIT,RelayIT -Dfailsafe.failIfNoSpecifiedTests=false \
    >"$LOGS/build.log" 2>&1 \
    || { tail -40 "$LOGS/build.log" >&2; die "build failed"; }
  # Quarkus assembles each app.aot in a process that may outlive Maven: wait for it (at most 5 minutes)
  for _ in $(seq 1 300); do pgrep -f "AOTMode=create.*-XX:AOTCache=$ROOT/" >/dev/null || break; sleep 1; done
fi
: > "$WORK/aot-files.tsv"
for m in $APPS; do
  f=$ROOT/$m/target/quarkus-app/app.aot
  if [ -f "$f" ]; then echo -e "$m\t$(du -m "$f" | cut -f1)" >> "$WORK/aot-files.tsv"; else echo -e "$m\tmissing" >> "$WORK/aot-files.tsv"; fi
done

# The services' environment (infra/local/run.sh's variables, our ports and databases)
mkdir -p "$WORK/keys"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/keys/jwt-private.pem" 2>/dev/null
export AUTH_SIGNING_KEY=$WORK/keys/jwt-private.pem
SESSION_GRANT_KEY=$(openssl rand -base64 32)
export SESSION_GRANT_KEY
export QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD= JWT_ISSUER=chat-platform
export AUTH_COOKIE_SECURE=false QUARKUS_MAILER_MOCK=true AUTH_MAIL_LOG_LINKS=true TRUSTED_PROXIES=127.0.0.2 LOG_JSON=false
export OPENAI_API_KEY=offline-stand-in OPENAI_MODEL=stub-model
# turns per minute and the daily token quota would stop a benchmark user after 20 turns; (c)'s one user keeps a
# WebSocket open per session of its pool (100 at concurrency 100), beyond the relay's 20 per user
export CHAT_TURNS_PER_MINUTE=1000000 CHAT_DAILY_TOKEN_QUOTA=1000000000 RELAY_MAX_CONNECTIONS_PER_USER=1000000
for db in $AUTH_DB $SESSION_DB; do dropdb --if-exists "$db" 2>/dev/null || true; createdb "$db"; done

# ---------------------------------------------------------------- (a) start-up: plain JVM vs AOT cache
if want startup; then
  wait_quiet; loadavg startup
  log "(a) start-up to ready, $STARTUP_RUNS runs per variant and service (each start waits up to ${STARTUP_LOAD_WAIT}s for load < 0.5)"
  (
    export JWKS_URL=http://localhost:28091/api/auth/jwks PUBLIC_BASE_URL=http://localhost:28090 CORS_ORIGINS=http://localhost:28090
    export SESSION_SERVICE_URL=http://localhost:28092 CHAT_SERVICE_URL=http://localhost:28093 OPENAI_BASE_URL=http://localhost:28099/v1
    export AUTH_JDBC_URL=jdbc:postgresql://$PGHOST:$PGPORT/$AUTH_DB SESSION_JDBC_URL=jdbc:postgresql://$PGHOST:$PGPORT/$SESSION_DB
    export LOGS
    echo "$STARTUP_JAVA_OPTS" > "$WORK/startup-java-opts.txt"
    echo "${EXTRA_VARIANTS:-}" > "$WORK/startup-extra-variants.txt"
    run_logged startup env RUNS="$STARTUP_RUNS" LOAD_WAIT="$STARTUP_LOAD_WAIT" JAVA_OPTS="$STARTUP_JAVA_OPTS" \
      python3 "$BENCH/startup/startup.py" > "$WORK/startup.tsv"
  ) || log "(a) failed (see $LOGS/startup-*.log)"
fi

# ---------------------------------------------------------------- (d) history page at 100,000 messages
if want history; then
  wait_quiet; loadavg history
  log "(d) history page, $HISTORY_MESSAGES messages, $HISTORY_N requests"
  (
    export RESULT_FILE=$WORK/history.tsv
    run_logged history env N="$HISTORY_N" ROUNDS="$HISTORY_ROUNDS" WARMUP="$HISTORY_WARMUP" MESSAGES="$HISTORY_MESSAGES" \
      LOAD_MAX="$LOAD_MAX" LOAD_WAIT_S="$LOAD_WAIT_S" JAVA_OPTS="$STACK_JAVA_OPTS" HISTORY_PORT=28096 \
      HISTORY_DB="${SESSION_DB}_history" "$BENCH/history-page/run.sh" > "$LOGS/history.out" 2> "$LOGS/history.log"
  ) || log "(d) failed (see $LOGS/history.log)"
fi

# ---------------------------------------------------------------- (b) relay fan-out vs the Node baseline
if want fanout; then
  wait_quiet; loadavg fanout
  log "(b) npm ci for the Node baseline"
  (cd "$BENCH/relay-baseline" && run_logged fanout npm ci --no-audit --no-fund --loglevel=error >"$LOGS/npm.log" 2>&1) \
    || die "npm ci failed (see $LOGS/npm.log)"
  # relay-service and the Node baseline alternated FANOUT_RUNS times each; knobs of bench/relay-fanout/README.md
  # (RUNS WARMUP_S PHASE_S SHARED_RATE STEP_RATES OVERLOAD_CLIENTS ...) pass through the environment
  log "(b) relay-service vs the Node baseline, ${FANOUT_RUNS:-3} runs each, alternated (log: $LOGS/fanout.log)"
  run_logged fanout env RUNS="${FANOUT_RUNS:-3}" FANOUT_WORK="$WORK/fanout" RESULT_FILE="$WORK/fanout.tsv" \
    "$BENCH/relay-fanout/run.sh" >"$LOGS/fanout.out" 2>"$LOGS/fanout.log" \
    || log "(b) failed (see $LOGS/fanout.log)"
  cp "$WORK/fanout/settings.json" "$WORK/fanout-settings.json" 2>/dev/null || true
fi

# ---------------------------------------------------------------- (c) chat turn overhead through the stack
if want ttft; then
  wait_quiet; loadavg ttft
  log "(c) starting the whole stack (infra/local/run.sh) on ports 2808x"
  STACK=$WORK/stack
  (
    export SKIP_BUILD=1 PLATFORM_STATE_DIR=$STACK INGRESS_PORT=28080 AUTH_PORT=28081 SESSION_PORT=28082 CHAT_PORT=28083
    export RELAY_PORT=28084 LLM_STUB_PORT=28089 AUTH_DB SESSION_DB JAVA_OPTS=$STACK_JAVA_OPTS
    unset OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL
    printf -- '- `JAVA_OPTS=\"%s\" SKIP_BUILD=1 PLATFORM_STATE_DIR=%s INGRESS_PORT=28080 AUTH_PORT=28081 SESSION_PORT=28082 CHAT_PORT=28083 RELAY_PORT=28084 LLM_STUB_PORT=28089 AUTH_DB=%s SESSION_DB=%s CHAT_TURNS_PER_MINUTE=1000000 CHAT_DAILY_TOKEN_QUOTA=1000000000 RELAY_MAX_CONNECTIONS_PER_USER=1000000 infra/local/run.sh`\n' \
      "$STACK_JAVA_OPTS" "bench/target/run/stack" "$AUTH_DB" "$SESSION_DB" >> "$WORK/commands-ttft.md"
    exec "$ROOT/infra/local/run.sh"
  ) >"$LOGS/stack.log" 2>&1 &
  STACK_PID=$!; PIDS+=("$STACK_PID")
  up=1
  for svc in auth session chat relay; do
    wait_http "http://127.0.0.1:28080/q/$svc/health/ready" 240 || { up=0; break; }
  done
  wait_http http://127.0.0.1:28089/q/health/ready 60 || up=0
  if [ $up = 1 ]; then
    log "(c) stack ready; turns at $TTFT_LEVELS (concurrency:turns), $TTFT_REPS alternated runs per level"
    RESULT_FILE=$WORK/ttft.tsv AUTH_LOG=$STACK/logs/auth-service.log \
      run_logged ttft env INGRESS_URL=http://127.0.0.1:28080 ORIGIN=http://localhost:28080 STUB_URL=http://127.0.0.1:28089 \
      LEVELS="$TTFT_LEVELS" REPS="$TTFT_REPS" WARMUP_TURNS="$TTFT_WARMUP" LOAD_MAX="$LOAD_MAX" LOAD_WAIT_S="$LOAD_WAIT_S" \
      PIDS_DIR="$STACK" java "$BENCH/chat-ttft/StackBench.java" >"$LOGS/ttft.log" 2>&1 \
      || log "(c) failed (see $LOGS/ttft.log)"
    # anonymous RSS of every process of the stack right after the turns (sizes the Kubernetes memory requests)
    while read -r pid name; do
      [ "$name" = log-tail ] && continue
      rss=$(awk '/^RssAnon:/ {printf "%d", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$rss" ] && printf '%s\t%s\n' "$name" "$rss" >> "$WORK/rss-ttft.tsv"
    done < <(cat "$STACK"/pids.* 2>/dev/null)
  else
    log "(c) the stack did not come up (see $LOGS/stack.log and $STACK/logs)"
  fi
  kill -TERM "$STACK_PID" 2>/dev/null
  for _ in $(seq 1 120); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.5; done
fi

# ---------------------------------------------------------------- the report
python3 "$BENCH/report.py" "$WORK" "$ROOT" > "$REPORT"
log "report: $REPORT"

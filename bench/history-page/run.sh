#!/usr/bin/env bash
# History-page benchmark of session-service (not a test): p50/p99 of
#   GET /api/sessions/{id}/messages?after_seq=X&limit=50
# at random offsets in one session of 100,000 messages, against the built jar, plus a baseline:
# the same SQL through pgbench on the same database, so the report gives the service's overhead.
# The two alternate (service, pgbench, service, pgbench, ... ROUNDS times, N requests each), each round after a
# bounded wait for a quiet machine (1-minute load < LOAD_MAX, at most LOAD_WAIT_S seconds; the load is recorded);
# the service's CPU milliseconds per request (utime+stime of its JVM over the round) are reported too.
#
# Usage (from the repository root, after building the module):
#   mvn -B -ntp -pl session-service -am package -DskipTests
#   bench/history-page/run.sh                      # ROUNDS=3 x N=1000 requests after a warm-up (rounds of WARMUP=1500)
#   N=200 WARMUP=200 ROUNDS=3 MESSAGES=5000 bench/history-page/run.sh   # a smoke test
#
# Uses the local PostgreSQL and Redis (PGHOST/PGPORT/PGUSER, REDIS_URL); creates a throwaway
# database, stream key and key pair, starts the jar on a free port, and removes all of it at exit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# SESSION_APP: another build's quarkus-run.jar (e.g. a copy of the previous commit's target/quarkus-app) for a before/after
APP=${SESSION_APP:-$ROOT/session-service/target/quarkus-app/quarkus-run.jar}
N=${N:-1000}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-1500}          # requests per warm-up round
WARMUP_ROUNDS=${WARMUP_ROUNDS:-30}
WARMUP_MIN_ROUNDS=${WARMUP_MIN_ROUNDS:-16}
WARMUP_TOLERANCE=${WARMUP_TOLERANCE:-0.05}
LOAD_MAX=${LOAD_MAX:-0.5}
LOAD_WAIT_S=${LOAD_WAIT_S:-120}
# the production JVM flags, as bench/run.sh's (c)
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xms128m -Xmx128m -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError}
MESSAGES=${MESSAGES:-100000}
PAGE=${PAGE:-50}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
DB=${HISTORY_DB:-chat_sessions_bench_$$}
STREAM=bench:history-page:$$:user-events

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

pick_java() { # a JDK >= 21: JAVA_HOME, then the newest under /usr/lib/jvm, then PATH
  local c v
  for c in ${JAVA_HOME:+$JAVA_HOME/bin/java} $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV) $(command -v java || true); do
    v=$("$c" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ]; then echo "$c"; return; fi
  done
  die "no JDK >= 21 found (set JAVA_HOME)"
}

for tool in psql pgbench createdb dropdb curl openssl python3 redis-cli; do
  command -v $tool >/dev/null || die "missing tool: $tool"
done
[ -f "$APP" ] || die "session-service is not built: mvn -B -ntp -pl session-service -am package -DskipTests"
JAVA=$(pick_java)

WORK=$(mktemp -d)
PID=
cleanup() {
  set +e
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
  redis-cli -u "$REDIS_URL" DEL "$STREAM" >/dev/null 2>&1
  dropdb --if-exists "$DB" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

PORT=${HISTORY_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
MGMT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')  # health

# A throwaway key pair: the service verifies with the public half, we sign with the private one.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/key.pem" 2>/dev/null
openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/pub.pem"

log "database $DB, session-service on :$PORT ($JAVA $JAVA_OPTS)"
createdb "$DB"
(cd "$WORK" && exec "$JAVA" $JAVA_OPTS \
  -Dquarkus.http.port="$PORT" -Dquarkus.management.port="$MGMT_PORT" \
  -Dquarkus.datasource.jdbc.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
  -Dquarkus.datasource.username="$PGUSER" \
  -Dquarkus.redis.hosts="$REDIS_URL" \
  -Dmp.jwt.verify.publickey.location="$WORK/pub.pem" \
  -Dsessions.grant-key="$(openssl rand -base64 32)" \
  -Dplatform.user-events.stream="$STREAM" \
  -Dquarkus.log.console.json.enabled=false \
  -jar "$APP" >"$WORK/service.log" 2>&1) &
PID=$!
for _ in $(seq 1 120); do
  curl -fs -o /dev/null "http://127.0.0.1:$MGMT_PORT/q/health/ready" && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/service.log" >&2; die "session-service exited"; }
  sleep 0.5
done
curl -fs -o /dev/null "http://127.0.0.1:$MGMT_PORT/q/health/ready" || { tail -50 "$WORK/service.log" >&2; die "not ready"; }

USER_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
SID=$(python3 -c 'import uuid; print(uuid.uuid4())')
log "seeding one session with $MESSAGES messages (schema by the service's Flyway migration)"
psql -q -v ON_ERROR_STOP=1 -d "$DB" <<SQL
INSERT INTO sessions (id, user_id, title, created_at, updated_at, last_message_at, last_activity_at, message_count)
VALUES ('$SID', '$USER_ID', 'bench', now(), now(), now(), now(), $MESSAGES);
INSERT INTO messages (id, session_id, seq, role, content, metadata, client_message_id, created_at)
SELECT gen_random_uuid(), '$SID', g,
       CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END,
       'Message ' || g || ': ' || repeat('lorem ipsum dolor sit amet ', 4 + g % 12),
       CASE WHEN g % 2 = 0 THEN jsonb_build_object('model', 'stub-model', 'latency_ms', g % 2000,
            'usage', jsonb_build_object('prompt_tokens', g % 500, 'completion_tokens', g % 300)) END,
       'bench-' || g, now() - make_interval(secs => $MESSAGES - g)
FROM generate_series(1, $MESSAGES) g;
VACUUM ANALYZE sessions;
VACUUM ANALYZE messages;
SQL

# An access token as auth-service issues them (RS256, typ at+jwt), signed here with openssl.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
NOW=$(date +%s)
HEADER=$(printf '{"alg":"RS256","typ":"at+jwt","kid":"bench"}' | b64url)
PAYLOAD=$(printf '{"iss":"chat-platform","aud":"chat-platform","sub":"%s","upn":"bench@example.test","groups":["user"],"jti":"%s","iat":%d,"exp":%d}' \
  "$USER_ID" "$SID" "$NOW" $((NOW + 3600)) | b64url)
SIG=$(printf '%s.%s' "$HEADER" "$PAYLOAD" | openssl dgst -sha256 -sign "$WORK/key.pem" -binary | b64url)
TOKEN=$HEADER.$PAYLOAD.$SIG
URL="http://127.0.0.1:$PORT/api/sessions/$SID/messages"

# sanity: a full page comes back, in order
curl -fsS -H "Authorization: Bearer $TOKEN" "$URL?after_seq=1000&limit=$PAGE" | python3 -c "
import json, sys
page = json.load(sys.stdin)
seqs = [m['seq'] for m in page['items']]
assert seqs == list(range(1001, 1001 + $PAGE)), seqs[:5]
assert page['next_after_seq'] == 1000 + $PAGE
" || die "the service did not return the expected page"

MAX_AFTER=$((MESSAGES - PAGE))
# one curl process per batch reuses a keep-alive connection; time_total is per request
curl_config() { # curl_config <count> <seed>
  python3 - "$1" "$2" "$URL" "$PAGE" "$MAX_AFTER" <<'PY'
import random, sys
count, seed, url, page, max_after = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
rnd = random.Random(seed)
for _ in range(count):
    print(f'url = "{url}?after_seq={rnd.randint(0, max_after)}&limit={page}"')
    print('output = "/dev/null"')
PY
}
run_http() { # run_http <count> <seed> -> lines "code seconds"
  curl_config "$1" "$2" > "$WORK/curl.cfg"
  curl -s -K "$WORK/curl.cfg" -H "Authorization: Bearer $TOKEN" -H "Accept: application/json" \
       -w '%{http_code} %{time_total}\n'
}

# Baseline: the one statement the service runs for a page (session-service MessageReads.PAGE: the
# ownership check folded in), prepared as the JDBC driver does, one client, same random offsets distribution.
cat > "$WORK/page.sql" <<SQL
\set after random(0, $MAX_AFTER)
SELECT m.id, m.session_id, m.seq, m.role, m.content, m.metadata::text, m.client_message_id, m.parent_id, m.version, m.versions, m.created_at FROM sessions s LEFT JOIN LATERAL (SELECT id, session_id, seq, role, content, metadata, client_message_id, parent_id, version, versions, created_at FROM messages WHERE session_id = s.id AND seq > :after AND active ORDER BY seq LIMIT $((PAGE + 1))) m ON true WHERE s.id = '$SID' AND s.user_id = '$USER_ID' AND NOT s.retiring ORDER BY m.seq;
SQL

cpu_ms() { # utime+stime of a process, in ms
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.0f", ($12 + $13) * 1000 / hz }' "/proc/$1/stat"
}
wait_quiet() { # bounded wait for a quiet machine; prints the 1-minute load it starts at
  local waited=0 load
  load=$(cut -d' ' -f1 /proc/loadavg)
  while awk -v l="$load" -v m="$LOAD_MAX" 'BEGIN { exit !(l >= m) }' && [ $waited -lt "$LOAD_WAIT_S" ]; do
    sleep 5; waited=$((waited + 5)); load=$(cut -d' ' -f1 /proc/loadavg)
  done
  awk -v l="$load" -v m="$LOAD_MAX" 'BEGIN { exit !(l >= m) }' && log "load $load not below $LOAD_MAX after ${LOAD_WAIT_S}s: measuring anyway"
  echo "$load"
}

# Warm-up in rounds of WARMUP requests until the service's CPU per request settles (within WARMUP_TOLERANCE of the
# round before twice in a row, after at least WARMUP_MIN_ROUNDS rounds, at most WARMUP_ROUNDS): the JIT compiles for minutes, and a round measured
# before it is done counts the compiler as the request's cost (1,500 requests: 1.9 ms per request, 8,000: 0.85).
# At least 16 rounds (24,000 requests): on 2026-12-03 the CPU per request sat at about 0.6-0.7 ms for a few rounds
# and fell to about 0.4 ms only after 16 (C2 compiles a per-request method after 5,000-15,000 calls, and again
# after a deoptimisation); a run whose warm-up stopped on such a plateau at round 9 measured 0.43-0.90 ms.
warm_rounds=0; warm_prev=; warm_list=; warm_steady=0
while [ "$warm_rounds" -lt "$WARMUP_ROUNDS" ]; do
  warm_rounds=$((warm_rounds + 1))
  cpu0=$(cpu_ms "$PID")
  run_http "$WARMUP" $((100 + warm_rounds)) > /dev/null
  cpu1=$(cpu_ms "$PID")
  per=$(awk -v c=$((cpu1 - cpu0)) -v n="$WARMUP" 'BEGIN { printf "%.3f", c / n }')
  warm_list="${warm_list:+$warm_list, }$per"
  log "warm-up round $warm_rounds: $WARMUP HTTP requests, $per CPU ms per request"
  if [ -n "$warm_prev" ] && awk -v a="$per" -v b="$warm_prev" -v t="$WARMUP_TOLERANCE" \
      'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t * b) }'; then
    warm_steady=$((warm_steady + 1))
  else
    warm_steady=0
  fi
  # two steps in a row within the tolerance (one can be noise on a slope), after at least WARMUP_MIN_ROUNDS
  [ "$warm_steady" -ge 2 ] && [ "$warm_rounds" -ge "$WARMUP_MIN_ROUNDS" ] && break
  warm_prev=$per
done
warm_cap=; { [ "$warm_steady" -ge 2 ] && [ "$warm_rounds" -ge "$WARMUP_MIN_ROUNDS" ]; } || warm_cap=", the cap, before it settled"
WARMUP_DONE="$warm_rounds rounds of $WARMUP requests$warm_cap (until the CPU per request was within $(awk -v t="$WARMUP_TOLERANCE" 'BEGIN { printf "%g", t * 100 }')% of the round before twice in a row, at least $WARMUP_MIN_ROUNDS rounds; CPU ms per request by round: $warm_list)"
log "warm-up: $WARMUP_DONE; $WARMUP pgbench transactions"
(cd "$WORK" && pgbench -n -M prepared -c 1 -t "$WARMUP" -f page.sql "$DB" >/dev/null 2>&1)
: > "$WORK/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
  load=$(wait_quiet)
  log "round $round/$ROUNDS (load $load): $N HTTP requests at random after_seq in [0, $MAX_AFTER], limit=$PAGE, sequential, keep-alive"
  cpu0=$(cpu_ms "$PID")
  run_http "$N" $((round + 1)) > "$WORK/http.txt"
  cpu1=$(cpu_ms "$PID")
  BAD=$(awk '$1 != 200' "$WORK/http.txt" | wc -l)
  [ "$BAD" -eq 0 ] || die "$BAD requests did not answer 200"
  awk '{printf "%.3f\n", $2 * 1000}' "$WORK/http.txt" > "$WORK/http-$round.ms"
  echo -e "service\t$round\t$load\t$(( cpu1 - cpu0 ))" >> "$WORK/rounds.tsv"
  load=$(wait_quiet)
  log "round $round/$ROUNDS (load $load): pgbench, $N transactions"
  rm -f "$WORK"/pg.*
  (cd "$WORK" && pgbench -n -M prepared -c 1 -t "$N" -f page.sql -l --log-prefix=pg "$DB" > pgbench.out 2>&1) \
    || { cat "$WORK/pgbench.out" >&2; die "pgbench failed"; }
  cat "$WORK"/pg.* | awk '{printf "%.3f\n", $3 / 1000}' > "$WORK/pg-$round.ms"
  echo -e "pgbench\t$round\t$load\t" >> "$WORK/rounds.tsv"
done

python3 - "$WORK" "$N" "$MESSAGES" "$PAGE" "$JAVA_OPTS" "$WARMUP_DONE" <<'PY'
import os, statistics, sys
work, n, messages, page, opts, warm = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def load(p):
    return sorted(float(x) for x in open(p) if x.strip())
def pct(v, p):  # nearest-rank percentile
    return v[max(0, min(len(v) - 1, int(round(p / 100 * len(v) + 0.5)) - 1))]
rounds = [line.rstrip('\n').split('\t') for line in open(os.path.join(work, 'rounds.tsv')) if line.strip()]
files = {'service': 'http', 'pgbench': 'pg'}
out = os.environ.get("RESULT_FILE")
rows = []
print(f"history page ({page} messages) from a session of {messages} messages, {len(rounds) // 2} alternated rounds "
      f"of {n} requests per side, sequential; session-service JVM: {opts}")
print(f"{'':10}{'round':>6}{'load':>6}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'max ms':>9}{'CPU ms/req':>11}")
pooled = {'service': [], 'pgbench': []}
for side, r, ld, cpu in rounds:
    v = load(os.path.join(work, f"{files[side]}-{r}.ms"))
    pooled[side] += v
    per = f"{int(cpu) / len(v):.3f}" if cpu else ''
    print(f"{side:10}{r:>6}{ld:>6}{pct(v,50):9.3f}{pct(v,90):9.3f}{pct(v,99):9.3f}{statistics.fmean(v):9.3f}{v[-1]:9.3f}{per:>11}")
    rows.append(f"round\t{side}\t{r}\t{ld}\t{len(v)}\t{pct(v,50):.3f}\t{pct(v,90):.3f}\t{pct(v,99):.3f}\t{statistics.fmean(v):.3f}\t{v[-1]:.3f}\t{per}")
for side, v in pooled.items():
    v.sort()
    print(f"{side + ' all':16}{'':6}{pct(v,50):9.3f}{pct(v,90):9.3f}{pct(v,99):9.3f}{statistics.fmean(v):9.3f}{v[-1]:9.3f}   ({len(v)} samples)")
    rows.append(f"pooled\t{side}\t{len(v)}\t{pct(v,50):.3f}\t{pct(v,90):.3f}\t{pct(v,99):.3f}\t{statistics.fmean(v):.3f}\t{v[-1]:.3f}")
s, p = pooled['service'], pooled['pgbench']
print(f"ratio service/database: p50 {pct(s,50)/pct(p,50):.1f}x, p99 {pct(s,99)/pct(p,99):.1f}x")
if out:  # tab-separated, for bench/run.sh's report
    with open(out, "a") as f:
        f.write(f"flags\t{opts}\n")
        f.write(f"warmup\t{warm}\n")
        f.write('\n'.join(rows) + '\n')
PY
log "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPU(s)"

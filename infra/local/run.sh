#!/usr/bin/env bash
# Brings up the whole platform on this machine: Redis, PostgreSQL, the model stand-in (unless a real
# model is configured), the four services and the nginx ingress at http://localhost:8080.
# Ctrl-C stops what this script started, and only that.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

INGRESS_PORT=${INGRESS_PORT:-8080}
AUTH_PORT=${AUTH_PORT:-8081}
SESSION_PORT=${SESSION_PORT:-8082}
CHAT_PORT=${CHAT_PORT:-8083}
RELAY_PORT=${RELAY_PORT:-8084}
# each service's management interface (health, metrics, OpenAPI) listens on its HTTP port + 1000 (auth 9081, ...)
MANAGEMENT_OFFSET=1000
AUTH_DB=${AUTH_DB:-chat_auth}
SESSION_DB=${SESSION_DB:-chat_sessions}
PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://localhost:$INGRESS_PORT}

cleanup() {
  trap - INT TERM EXIT
  echo
  stop_started
  log "stopped"
}
trap cleanup INT TERM EXIT

pick_jdk
ensure_tools
ensure_redis
ensure_postgres
ensure_database "$AUTH_DB"
ensure_database "$SESSION_DB"

# A development signing key for access tokens, unless one is configured.
if [ -z "${AUTH_SIGNING_KEY:-}" ]; then
  mkdir -p "$STATE/keys"
  if [ ! -s "$STATE/keys/jwt-private.pem" ]; then
    log "generating a development RSA key pair for JWT signing"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$STATE/keys/jwt-private.pem" 2>/dev/null
    openssl pkey -in "$STATE/keys/jwt-private.pem" -pubout -out "$STATE/keys/jwt-public.pem"
    chmod 600 "$STATE/keys/jwt-private.pem"
  fi
  export AUTH_SIGNING_KEY=$STATE/keys/jwt-private.pem
fi
# A development key for session-service's answer write grants (the same for every replica), unless one is configured.
if [ -z "${SESSION_GRANT_KEY:-}" ]; then
  mkdir -p "$STATE/keys"
  [ -s "$STATE/keys/session-grant.key" ] || (umask 077 && openssl rand -base64 32 > "$STATE/keys/session-grant.key")
  SESSION_GRANT_KEY=$(cat "$STATE/keys/session-grant.key")
  export SESSION_GRANT_KEY
fi

# The JDK AOT cache (Leyden, JDK >= 25) is used by default when the JDK has it; USE_AOT_CACHE=0 turns it off.
jdk_major=$(java_major "$JAVA_HOME/bin/java" | cut -d. -f1)
if [ -z "${USE_AOT_CACHE:-}" ]; then
  if [ "$jdk_major" -ge 25 ]; then USE_AOT_CACHE=1; else USE_AOT_CACHE=0; fi
fi
[ "$USE_AOT_CACHE" != 1 ] || [ "$jdk_major" -ge 25 ] || die "USE_AOT_CACHE=1 needs a JDK >= 25 (set JAVA_HOME)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  APPS=infra/llm-stub,auth-service,session-service,chat-service,relay-service
  if [ "$USE_AOT_CACHE" = 1 ]; then
    # -Paot: the aot-jar packaging, and each service's @QuarkusIntegrationTest run against the packaged jar
    # records target/quarkus-app/app.aot (needs the Redis and PostgreSQL ensured above; unit tests skipped)
    ensure_database chat_auth_it
    ensure_database chat_sessions_it
    build_args=(-B -ntp -Paot -pl "$APPS" -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
      -Dit.test='AuthIT,SessionIT,ChatIT,RelayIT' -Dfailsafe.failIfNoSpecifiedTests=false)
  else
    build_args=(-B -ntp -pl "$APPS" -am package -DskipTests)
  fi
  log "building the modules$([ "$USE_AOT_CACHE" = 1 ] && echo ' with the AOT cache') (logs: $LOGS/build.log)"
  (cd "$ROOT" && mvn "${build_args[@]}" >"$LOGS/build.log" 2>&1) || die "build failed (see $LOGS/build.log)"
  [ "$USE_AOT_CACHE" = 1 ] && wait_aot_caches
fi

# Configuration shared by the services: DESIGN.md's environment variables, local values.
export REDIS_URL=${REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT}
export QUARKUS_DATASOURCE_USERNAME=${QUARKUS_DATASOURCE_USERNAME:-postgres}
export QUARKUS_DATASOURCE_PASSWORD=${QUARKUS_DATASOURCE_PASSWORD:-}
export JWT_ISSUER=${JWT_ISSUER:-chat-platform}
export JWKS_URL=${JWKS_URL:-http://localhost:$AUTH_PORT/api/auth/jwks}
export PUBLIC_BASE_URL
export CORS_ORIGINS=${CORS_ORIGINS:-$PUBLIC_BASE_URL}
export SESSION_SERVICE_URL=${SESSION_SERVICE_URL:-http://localhost:$SESSION_PORT}
export CHAT_SERVICE_URL=${CHAT_SERVICE_URL:-http://localhost:$CHAT_PORT}
# local http: the refresh cookie cannot be Secure; mail goes to the console, not to SMTP
export AUTH_COOKIE_SECURE=${AUTH_COOKIE_SECURE:-false}
export QUARKUS_MAILER_MOCK=${QUARKUS_MAILER_MOCK:-true}
export AUTH_MAIL_LOG_LINKS=${AUTH_MAIL_LOG_LINKS:-true}
# nginx's proxy_bind (infra/nginx/nginx.conf.template): only the ingress may set X-Forwarded-For
export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.2}
# plain-text logs for people reading .local/logs (JSON is the production default)
export LOG_JSON=${LOG_JSON:-false}

# The JVM flags of the images and the Kubernetes manifests (infra/k8s/README.md "JVM flags"); the AOT cache was
# recorded with the same GC, which it needs to load.
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xms128m -Xmx128m -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError}
# the relay's heap, after JAVA_OPTS so it wins: its live set grows with open sockets (infra/k8s/README.md)
RELAY_JAVA_HEAP=${RELAY_JAVA_HEAP:--Xms256m -Xmx256m -Xmn24m}
AOT=$USE_AOT_CACHE

start_java() { # start_java <name> <module dir> <port> [VAR=value...]: extra variables for this process only
  local name=$1 dir=$2 port=$3 app=$ROOT/$2/target/quarkus-app
  shift 3
  [ -f "$app/quarkus-run.jar" ] || die "$name is not built ($app/quarkus-run.jar missing)"
  if curl -fs -o /dev/null "http://127.0.0.1:$port/q/health/live" \
      || curl -fs -o /dev/null "http://127.0.0.1:$((port + MANAGEMENT_OFFSET))/q/health/live"; then
    die "port $port is already taken by something answering health checks: is the stack already running?"
  fi
  local opts=($JAVA_OPTS)
  case $name in relay-service*) opts+=($RELAY_JAVA_HEAP) ;; esac
  if [ $AOT = 1 ] && [ -f "$app/app.aot" ]; then opts+=("-XX:AOTCache=$app/app.aot"); fi
  log "starting $name on :$port (log: $LOGS/$name.log)"
  # loopback only: nginx is the one process of the stack reachable from beyond this machine (DESIGN.md "Local stack")
  (cd "$app" && exec env "$@" java "${opts[@]}" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$((port + MANAGEMENT_OFFSET))" \
    -jar quarkus-run.jar >"$LOGS/$name.log" 2>&1) &
  started $! "$name"
}

if [ -z "${OPENAI_API_KEY:-}" ] && [ -z "${OPENAI_BASE_URL:-}" ]; then
  export LLM_STUB_PORT=${LLM_STUB_PORT:-8089}
  start_java llm-stub infra/llm-stub "$LLM_STUB_PORT"
  export OPENAI_BASE_URL=http://localhost:$LLM_STUB_PORT/v1 OPENAI_API_KEY=offline-stand-in OPENAI_MODEL=${OPENAI_MODEL:-stub-model}
  STUB=1
else
  # only a key given: it is an OpenAI key (chat-service's own default is the local stand-in)
  export OPENAI_BASE_URL=${OPENAI_BASE_URL:-https://api.openai.com/v1}
  export OPENAI_MODEL=${OPENAI_MODEL:-gpt-4o-mini}
  log "using the configured model at $OPENAI_BASE_URL ($OPENAI_MODEL)"
  STUB=0
fi

# Each database-owning service gets its own JDBC URL (DESIGN.md: one database per service).
start_java auth-service auth-service "$AUTH_PORT" \
  QUARKUS_DATASOURCE_JDBC_URL="${AUTH_JDBC_URL:-jdbc:postgresql://$PGHOST:$PGPORT/$AUTH_DB}"
start_java session-service session-service "$SESSION_PORT" \
  QUARKUS_DATASOURCE_JDBC_URL="${SESSION_JDBC_URL:-jdbc:postgresql://$PGHOST:$PGPORT/$SESSION_DB}"
start_java chat-service chat-service "$CHAT_PORT"
start_java relay-service relay-service "$RELAY_PORT"
# RELAY_REPLICAS=2 runs a second relay behind the same ingress (fan-out and failover across replicas).
RELAY_UPSTREAMS="server 127.0.0.1:$RELAY_PORT max_fails=1 fail_timeout=5s;"
RELAY_MANAGEMENT="server 127.0.0.1:$((RELAY_PORT + MANAGEMENT_OFFSET)) max_fails=1 fail_timeout=5s;"
for ((i = 2; i <= ${RELAY_REPLICAS:-1}; i++)); do
  port=$((RELAY_PORT + 10 * (i - 1)))
  start_java "relay-service-$i" relay-service "$port"
  RELAY_UPSTREAMS="$RELAY_UPSTREAMS server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"
  RELAY_MANAGEMENT="$RELAY_MANAGEMENT server 127.0.0.1:$((port + MANAGEMENT_OFFSET)) max_fails=1 fail_timeout=5s;"
done

# The ingress.
mkdir -p "$STATE/nginx"
sed -e "s|@STATE@|$STATE|g" -e "s|@LOGS@|$LOGS|g" -e "s|@INGRESS_PORT@|$INGRESS_PORT|g" \
    -e "s|@AUTH_UPSTREAM@|127.0.0.1:$AUTH_PORT|g" -e "s|@SESSION_UPSTREAM@|127.0.0.1:$SESSION_PORT|g" \
    -e "s|@CHAT_UPSTREAM@|127.0.0.1:$CHAT_PORT|g" -e "s|@RELAY_UPSTREAMS@|$RELAY_UPSTREAMS|g" \
    -e "s|@AUTH_MANAGEMENT@|127.0.0.1:$((AUTH_PORT + MANAGEMENT_OFFSET))|g" \
    -e "s|@SESSION_MANAGEMENT@|127.0.0.1:$((SESSION_PORT + MANAGEMENT_OFFSET))|g" \
    -e "s|@CHAT_MANAGEMENT@|127.0.0.1:$((CHAT_PORT + MANAGEMENT_OFFSET))|g" \
    -e "s|@RELAY_MANAGEMENT_UPSTREAMS@|$RELAY_MANAGEMENT|g" \
    "$ROOT/infra/nginx/nginx.conf.template" > "$STATE/nginx/nginx.conf"
[ "$(id -u)" = 0 ] && sed -i "1i user root;" "$STATE/nginx/nginx.conf"
nginx -t -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx" >"$LOGS/nginx-check.log" 2>&1 || die "nginx config invalid (see $LOGS/nginx-check.log)"
log "starting nginx on :$INGRESS_PORT"
nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx" -g 'daemon off;' >>"$LOGS/nginx.log" 2>&1 &
started $! nginx

# Ready means every service's readiness check (Redis, DB) passes, through the ingress.
[ $STUB = 1 ] && wait_for "llm-stub" 120 curl -fs "http://127.0.0.1:$LLM_STUB_PORT/q/health/ready"
for svc in auth session chat relay; do
  wait_for "$svc-service" 180 curl -fs "http://127.0.0.1:$INGRESS_PORT/q/$svc/health/ready"
  log "$svc-service ready"
done
# the ingress balances /q/relay over the replicas, so its one 200 above may have come from any of them: ask each
for ((i = 1; i <= ${RELAY_REPLICAS:-1}; i++)); do
  wait_for "relay-service-$i" 180 curl -fs "http://127.0.0.1:$((RELAY_PORT + 10 * (i - 1) + MANAGEMENT_OFFSET))/q/health/ready"
  log "relay-service-$i ready"
done

cat <<MSG

  The chat platform is up:  $PUBLIC_BASE_URL
  Health through the ingress: $PUBLIC_BASE_URL/q/{auth,session,chat,relay}/health/ready
  Logs: $LOGS
  Model: $([ $STUB = 1 ] && echo "the offline stand-in (set OPENAI_API_KEY/OPENAI_BASE_URL for a real one)" || echo "$OPENAI_BASE_URL")
  Magic links are printed below (no mail is sent locally). Ctrl-C stops everything started here.

MSG
# Show the sign-in links a person needs, as they are "sent".
tail -n 0 -F "$LOGS/auth-service.log" 2>/dev/null | grep --line-buffered -i 'sign-in link' &
TAIL_PID=$!
started $TAIL_PID log-tail
# Keep running until Ctrl-C; report a process that exits (the rest stays up, e.g. while a replica restarts).
declare -A reported=()
while true; do
  while read -r pid name; do
    if [ -z "${reported[$pid]:-}" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited (see $LOGS/$name.log)"
      reported[$pid]=1
    fi
  done < "$PIDFILE"
  sleep 2
done

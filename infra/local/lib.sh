#!/usr/bin/env bash
# Shared by run.sh and test.sh: find a JDK >= 21, install what is missing with apt-get (as root on
# Debian/Ubuntu), and make sure Redis and PostgreSQL answer, starting our own only when none does.
# Everything we start is recorded in $STATE/pids so stop_started() can stop exactly that.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${PLATFORM_STATE_DIR:-$ROOT/.local}
LOGS=$STATE/logs
mkdir -p "$STATE" "$LOGS"
: > "$STATE/pids.$$"
PIDFILE=$STATE/pids.$$

REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

log() { printf '\033[1;36m[platform]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[platform] %s\033[0m\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "missing $* and no apt-get: install it by hand"
  [ "$(id -u)" = 0 ] || die "missing $*: run as root (apt-get) or install it yourself"
  if [ $APT_UPDATED = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOGS/apt.log" 2>&1 || true
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$LOGS/apt.log" 2>&1 \
    || die "apt-get install $* failed (see $LOGS/apt.log)"
}

# Records a PID we started, so stop_started() stops it and nothing else.
started() { echo "$1 $2" >> "$PIDFILE"; }

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'; }

pick_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV); do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ]; then
      export JAVA_HOME=$candidate PATH=$candidate/bin:$PATH
      log "JDK $major at $JAVA_HOME"
      return
    fi
  done
  apt_install openjdk-21-jdk-headless || true
  for candidate in $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV); do
    major=$(java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 21 ]; then
      export JAVA_HOME=$candidate PATH=$candidate/bin:$PATH; return
    fi
  done
  die "no JDK >= 21 found; set JAVA_HOME"
}

ensure_tools() {
  local missing=()
  command -v mvn >/dev/null || missing+=(maven)
  command -v curl >/dev/null || missing+=(curl)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v redis-server >/dev/null || missing+=(redis-server)
  # the server too, not only a client (pg_bin finds its binaries)
  { command -v psql >/dev/null && [ -n "$(pg_bin)" ]; } || missing+=(postgresql postgresql-client)
  command -v nginx >/dev/null || missing+=(nginx)
  # relay-service's build runs the web UI's unit tests with Node's built-in test runner (node --test, Node >= 18)
  command -v node >/dev/null || missing+=(nodejs)
  [ "${1:-}" = --test ] && {
    # the deployment contract tests render the kustomize overlays and check the Prometheus rules
    command -v kubectl >/dev/null || missing+=(kubernetes-client)
    command -v promtool >/dev/null || missing+=(prometheus)
  }
  [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
}

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  local i
  for ((i = 0; i < secs * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  die "$what did not come up within ${secs}s"
}

ensure_redis() {
  if redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    log "Redis already listening on $REDIS_HOST:$REDIS_PORT: using it"
    return
  fi
  mkdir -p "$STATE/redis"
  log "starting Redis on $REDIS_HOST:$REDIS_PORT"
  redis-server --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$STATE/redis" --logfile "$LOGS/redis.log" &
  started $! redis
  wait_for Redis 30 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_postgres() {
  if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
    log "PostgreSQL already listening on $PGHOST:$PGPORT: using it"
    ensure_db_login
    return
  fi
  local bin data=$STATE/postgres
  bin=$(pg_bin)
  [ -n "$bin" ] || die "PostgreSQL server binaries not found"
  # PostgreSQL refuses to run as root: run it as the postgres user (setpriv execs, so the PID is the server's).
  local as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as=(setpriv --reuid=postgres --regid="$(id -g postgres)" --init-groups)
    mkdir -p "$data"
    if ! "${as[@]}" test -x "$STATE"; then
      # the checkout is in a folder the postgres user cannot enter (e.g. /root): keep the cluster in its home
      data=$(getent passwd postgres | cut -d: -f6)/chat-platform
      mkdir -p "$data"
    fi
    chown postgres "$data" && chmod 700 "$data"
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    log "initialising a PostgreSQL cluster in $data"
    "${as[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >>"$LOGS/postgres.log" 2>&1 \
      || die "initdb failed (see $LOGS/postgres.log)"
  fi
  log "starting PostgreSQL on $PGHOST:$PGPORT (data in $data)"
  "${as[@]}" "$bin/postgres" -D "$data" -h "$PGHOST" -p "$PGPORT" -k /tmp >>"$LOGS/postgres.log" 2>&1 &
  started $! postgres
  wait_for PostgreSQL 60 pg_isready -q -h "$PGHOST" -p "$PGPORT"
}

# A PostgreSQL we found may refuse password-less TCP logins (Debian's packaged cluster: scram on
# 127.0.0.1). Then, as root, create a login role with a generated password over the local socket
# (as the postgres user) and use it; the password stays in $STATE. Nothing else of that server changes.
ensure_db_login() {
  psql -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 \
    || die "PostgreSQL on $PGHOST:$PGPORT refuses user $PGUSER without a password: set PGUSER/PGPASSWORD"
  local role=chat_platform pwfile=$STATE/pg-password
  [ -s "$pwfile" ] || (umask 077 && openssl rand -hex 24 > "$pwfile")
  log "PostgreSQL asks for a password: using role $role (password in $pwfile)"
  runuser -u postgres -- env -u PGHOST -u PGUSER psql -q -v ON_ERROR_STOP=1 -p "$PGPORT" -d postgres \
    -v role="$role" -v pw="$(cat "$pwfile")" >>"$LOGS/postgres.log" 2>&1 <<'SQL' || die "cannot create role $role (see $LOGS/postgres.log)"
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') \gexec
SQL
  PGPASSWORD=$(cat "$pwfile")
  export PGUSER=$role PGPASSWORD
  export QUARKUS_DATASOURCE_USERNAME=$role QUARKUS_DATASOURCE_PASSWORD=$PGPASSWORD
  psql -d postgres -tAc 'SELECT 1' >/dev/null || die "role $role still cannot log in over TCP"
}

ensure_database() {
  local db=$1
  if ! psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    log "creating database $db"
    psql -d postgres -qc "CREATE DATABASE $db" || die "cannot create database $db"
  fi
}

stop_started() {
  [ -f "$PIDFILE" ] || return 0
  local pid name
  # newest first: services before the stores they use
  tac "$PIDFILE" | while read -r pid name; do
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  tac "$PIDFILE" | while read -r pid name; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  rm -f "$PIDFILE"
}

# Headless Chromium and its driver, for the end-to-end browser tests.
# E2E_CHROMIUM / E2E_CHROMEDRIVER name binaries installed some other way (e.g. on Ubuntu, where apt's
# chromium is only a snap wrapper).
ensure_browser() {
  local missing=()
  [ -n "${E2E_CHROMIUM:-}" ] || command -v chromium >/dev/null || missing+=(chromium)
  [ -n "${E2E_CHROMEDRIVER:-}" ] || command -v chromedriver >/dev/null || missing+=(chromium-driver)
  [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
}

# After a -Paot build: Quarkus assembles each app.aot (-XX:AOTMode=create) in a process that may still run when
# Maven has finished; wait (at most 5 minutes) until none writes a cache under $ROOT any more.
wait_aot_caches() {
  local i
  for ((i = 0; i < 300; i++)); do
    pgrep -f "AOTMode=create.*-XX:AOTCache=$ROOT/" >/dev/null || return 0
    [ $i = 0 ] && log "waiting for the AOT caches to be assembled"
    sleep 1
  done
  log "an AOT cache is still being assembled after 5 minutes: the services may start without it"
}

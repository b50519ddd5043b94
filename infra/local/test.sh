#!/usr/bin/env bash
# Runs every test of every module against real Redis and PostgreSQL (started here when none answers),
# then stops whatever it started. Extra arguments go to Maven (e.g. -pl auth-service).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

trap stop_started EXIT
pick_jdk
ensure_tools --test
ensure_browser
ensure_redis
ensure_postgres
ensure_database chat_auth_test
ensure_database chat_sessions_test
# the @QuarkusIntegrationTests' own databases (the packaged service runs while the @QuarkusTests clean theirs)
ensure_database chat_auth_it
ensure_database chat_sessions_it

cd "$ROOT"
log "mvn verify (all modules)"
browser=()
[ -n "${E2E_CHROMIUM:-}" ] && browser+=("-De2e.chromium=$E2E_CHROMIUM")
[ -n "${E2E_CHROMEDRIVER:-}" ] && browser+=("-De2e.chromedriver=$E2E_CHROMEDRIVER")
mvn -B -ntp verify "${browser[@]}" "$@"

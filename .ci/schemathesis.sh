#!/usr/bin/env bash
# Property-based API checks with Schemathesis against /api/openapi.json of a running
# `lingji serve --demo` on a fresh demo database, as finance (caizheng) and as a unit operator
# (danwei): no server error, every answer's status, media type, headers and body as documented.
#
#   .ci/schemathesis.sh sqlite                   # a fresh SQLite file in a temporary folder
#   .ci/schemathesis.sh postgres://user:pass@127.0.0.1:5432/postgres
#                                                # a fresh database created beside it, dropped after
#   .ci/schemathesis.sh install                  # only installs Schemathesis and builds lingji, so
#                                                # that two runs can then go side by side
#
# Environment: LINGJI_BIN (default target/debug/lingji, built if missing), MAX_EXAMPLES
# (default 5), ST_VENV (where Schemathesis is installed if missing, default
# ${XDG_CACHE_HOME:-~/.cache}/lingji-schemathesis). Exits non-zero on any failure.
#
# Checks left out, on purpose: positive_data_acceptance / negative_data_rejection (a request
# the schema allows is still refused by the rules — a 422 with its clause is the right answer;
# a year beyond the documented range is read like any other), and ignored_auth (it varies one
# of the two documented schemes while the bearer header below stays valid, so it reports
# every operation; refusals of a bad token and of a missing CSRF header are tested in
# crates/lingji-web/tests).
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
BACKEND=${1:?usage: .ci/schemathesis.sh sqlite|postgres://…}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${LINGJI_BIN:-$ROOT/target/debug/lingji}
MAX_EXAMPLES=${MAX_EXAMPLES:-5}
VENV=${ST_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/lingji-schemathesis}
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

if [ ! -x "$VENV/bin/schemathesis" ] ||
    ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
if [ ! -x "$BIN" ]; then
    (cd "$ROOT" && cargo build --quiet -p lingji-cli)
fi
if [ "$BACKEND" = install ]; then
    exit 0
fi

WORK=$(mktemp -d)
SERVER_PID=
DROP_DB=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$DROP_DB" ]; then
        psql "$BACKEND" -qc "DROP DATABASE IF EXISTS $DROP_DB" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

case "$BACKEND" in
sqlite) DATABASE_URL="sqlite:$WORK/lingji.db" ;;
postgres://* | postgresql://*)
    DROP_DB="lingji_st_$$"
    psql "$BACKEND" -qc "CREATE DATABASE $DROP_DB" >/dev/null
    DATABASE_URL="${BACKEND%/*}/$DROP_DB"
    ;;
*)
    echo "unknown backend: $BACKEND (sqlite or a postgres:// URL)" >&2
    exit 2
    ;;
esac

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cd "$WORK"
"$BIN" --database-url "$DATABASE_URL" serve --demo --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
# The demo is lived before the server listens: some 20 s on SQLite, longer on PostgreSQL.
for _ in $(seq 900); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$WORK/server.log" >&2
        exit 1
    fi
    sleep 0.2
done

# The whole-library export writes an .xlsx of every project on each call (about a second in a
# debug build); the coverage phase would call it some 60 times with the very query parameters
# GET /api/v1/projects already covers with the same parser, so it is fuzzed only.
cat >"$WORK/schemathesis.toml" <<'TOML'
[[operations]]
include-path = "/api/v1/projects/export"
phases.coverage.enabled = false
TOML

status=0
for user in caizheng danwei; do
    token=$("$BIN" --database-url "$DATABASE_URL" user token "$user" | tail -n 1)
    echo "== $user on $BACKEND (max $MAX_EXAMPLES examples per operation)"
    start=$(date +%s)
    # The demo user's own password change and sign-out would end the run's authority halfway;
    # the checkpoint import takes an .xlsx body, which Schemathesis cannot generate.
    if ! "$VENV/bin/schemathesis" --config-file "$WORK/schemathesis.toml" run "http://127.0.0.1:$PORT/api/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks "$CHECKS" \
        --max-examples "$MAX_EXAMPLES" \
        --seed 17 \
        --no-shrink \
        --exclude-path /api/v1/me/password \
        --exclude-path /api/v1/auth/logout \
        --exclude-path /api/v1/performance/checkpoints/import \
        --suppress-health-check all \
        --warnings off; then
        status=1
    fi
    echo "== $user: $(($(date +%s) - start)) s"
done
if grep -q "internal error" "$WORK/server.log"; then
    echo "the server logged internal errors:" >&2
    grep "internal error" "$WORK/server.log" >&2
    status=1
fi
exit $status

#!/usr/bin/env bash
# Payment benchmarks for docs/BENCHMARKS.md, in one run on this machine: pgbench tpcb-like on
# the PostgreSQL as the ceiling, alternating ROUNDS times with lingji's checked-and-posted
# payments in process on the same PostgreSQL (this machine's speed drifts by a third within
# minutes, so each ratio is of neighbours); then over HTTP (wrk against lingji serve) on
# PostgreSQL, and both again on SQLite; rule screening against 206 rules on one core. Needs a
# release build, pgbench and wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
PG=${PG:-postgres://postgres:lingji-test@127.0.0.1:5432}
BIN=${BIN:-target/release/lingji}
REQ=${REQ:-10000}
ROUNDS=${ROUNDS:-3}
CONC=${CONC:-16}
DUR=${DUR:-15}
PORT=${PORT:-8097}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

in_process() { # database-url
  LINGJI_DATABASE_URL=$1 "$BIN" bench payments --requests "$REQ" --concurrency "$CONC" 2>/dev/null
}

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS lingji_pgbench" -c "CREATE DATABASE lingji_pgbench" >/dev/null
pgbench -q -i -s 10 "$PG/lingji_pgbench" >/dev/null 2>&1
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS lingji_paybench" -c "CREATE DATABASE lingji_paybench" >/dev/null
LINGJI_DATABASE_URL=$PG/lingji_paybench "$BIN" demo >/dev/null
echo "== pgbench -b tpcb-like -c $CONC -j 2 -T $DUR (scale 10), then PostgreSQL in process ($REQ requests, $CONC at a time)"
for round in $(seq "$ROUNDS"); do
  tps=$(pgbench -b tpcb-like -c "$CONC" -j 2 -T "$DUR" "$PG/lingji_pgbench" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  per_s=$(in_process "$PG/lingji_paybench" | sed -n 2p | cut -f4)
  echo "round $round: pgbench $tps TPS, in process $per_s payments/s, ratio $(awk "BEGIN { printf \"%.2f\", $per_s / $tps }")"
done

run() { # name database-url
  echo "== $1: in process ($REQ requests, $CONC at a time)"
  out=$(in_process "$2")
  echo "$out"
  range=$(echo "$out" | sed -n 's/.*（\([0-9]*\)–\([0-9]*\)）.*/\1 \2/p')
  echo "== $1: over HTTP (wrk -t2 -c$CONC -d${DUR}s)"
  token=$(LINGJI_DATABASE_URL=$2 "$BIN" user token caizheng --label bench)
  LINGJI_DATABASE_URL=$2 "$BIN" serve --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
  server=$!
  until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.2; done
  LINGJI_TOKEN=$token LINGJI_LINE_FROM=${range% *} LINGJI_LINE_TO=${range#* } LINGJI_RUN=$RANDOM \
    wrk -t2 -c"$CONC" -d"${DUR}s" -s scripts/bench/payment.lua "http://127.0.0.1:$PORT" | grep -E 'Requests/sec|Latency|Non-2xx|requests in'
  kill "$server"; wait "$server" 2>/dev/null || true
}

run PostgreSQL "$PG/lingji_paybench"
LINGJI_DATABASE_URL="sqlite:$work/pay.db?mode=rwc" "$BIN" demo >/dev/null
run SQLite "sqlite:$work/pay.db?mode=rwc"

echo "== rule screening, one core"
taskset -c 1 "$BIN" bench rules --rules 206 --payments 100000

#!/usr/bin/env bash
# How close a payment's statements alone come to pgbench tpcb-like (docs/BENCHMARKS.md, stop
# 39): pgbench itself sends lingji's statements for a payment (scripts/bench/payment-sql/), so
# no application's time is in the figure — the ceiling any lingji could reach with them. Each
# round alternates, on the same PostgreSQL: tpcb-like (scale 10), the statements as lingji sends
# them, the same merged into the fewest round trips, the same without the audit event, and
# lingji's own `bench payments` in process (this machine's speed drifts by a third within
# minutes, so each ratio is of neighbours). Needs a release build and pgbench.
set -euo pipefail
cd "$(dirname "$0")/../.."
PG=${PG:-postgres://postgres:lingji-test@127.0.0.1:5432}
BIN=${BIN:-target/release/lingji}
ROUNDS=${ROUNDS:-6}
CONC=${CONC:-16}
DUR=${DUR:-8}
KEY=$(mktemp)
trap 'rm -f "$KEY"' EXIT
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$KEY"
export LINGJI_AUDIT_KEY_FILE=$KEY

fresh() { # template -> a copy named sql_run
  psql "$PG/postgres" -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS sql_run" -c "CREATE DATABASE sql_run TEMPLATE $1" >/dev/null
}

psql "$PG/postgres" -qc "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS sql_pgbench" -c "CREATE DATABASE sql_pgbench" \
  -c "DROP DATABASE IF EXISTS sql_city" -c "CREATE DATABASE sql_city" \
  -c "DROP DATABASE IF EXISTS sql_lines" >/dev/null
pgbench -q -i -s 10 "$PG/sql_pgbench" >/dev/null 2>&1
LINGJI_DATABASE_URL=$PG/sql_city "$BIN" demo >/dev/null
psql "$PG/sql_city" -qc ANALYZE
# The statements' copy: the demo with lingji's 40 benchmark lines and a payment or so on each.
psql "$PG/postgres" -qc "CREATE DATABASE sql_lines TEMPLATE sql_city" >/dev/null
range=$(LINGJI_DATABASE_URL=$PG/sql_lines "$BIN" bench payments --requests 16 --concurrency 1 2>/dev/null |
  sed -n 's/.*（\([0-9]*\)–\([0-9]*\)）.*/\1 \2/p')
echo "round | tpcb-like TPS | as sent | merged | without the event | lingji in process (payments/s)"
for round in $(seq "$ROUNDS"); do
  tps=$(pgbench -n -b tpcb-like -c "$CONC" -j 2 -T "$DUR" "$PG/sql_pgbench" 2>/dev/null | sed -n 's/^tps = \([0-9]*\).*/\1/p')
  row="$round | $tps"
  for script in as-sent merged without-event; do
    fresh sql_lines
    t=$(pgbench -n -M prepared -D first="${range% *}" -D last="${range#* }" -c "$CONC" -j 2 -T "$DUR" \
      -f "scripts/bench/payment-sql/$script.sql" "$PG/sql_run" 2>/dev/null | sed -n 's/^tps = \([0-9]*\).*/\1/p')
    row="$row | $t ($(awk "BEGIN { printf \"%.2f\", $t / $tps }")×)"
  done
  fresh sql_city
  per_s=$(LINGJI_DATABASE_URL=$PG/sql_run "$BIN" bench payments --requests 10000 --concurrency "$CONC" 2>/dev/null | sed -n 2p | cut -f4)
  echo "$row | $per_s ($(awk "BEGIN { printf \"%.2f\", $per_s / $tps }")×)"
done
psql "$PG/postgres" -qc "DROP DATABASE sql_run" -c "DROP DATABASE sql_lines" -c "DROP DATABASE sql_city" \
  -c "DROP DATABASE sql_pgbench" >/dev/null

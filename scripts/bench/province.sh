#!/usr/bin/env bash
# A province's size, measured (docs/BENCHMARKS.md, issue 21 point 7), each figure beside its
# anchor in the same run, on a database `lingji bench province` filled (DB=, KEY= its audit key):
#   payments   pgbench tpcb-like alternating with `lingji bench payments` in process, then wrk
#              over HTTP against `lingji serve` (anchor: pgbench)
#   pages      wrk p99 at 16 connections: /healthz (anchor) and the project list, the review
#              queue, the payments list and budget lines as the city's finance (shicai) and the
#              province's (shengcai)
#   dashboard  `lingji jurisdiction gather` timed, then /province and GET
#              /api/v1/province-dashboard as shengcai, timed by curl
#   allocation `lingji bench approve` in the all-admitted county
#   import     a 100,000-row workbook into a county (anchor: pgbench -i -s 1, 100,000 rows)
#   verify     `lingji audit verify` (anchor: the events read in order and hashed once)
# Needs a release build, pgbench, psql, wrk and curl. PHASES= picks some (default all).
set -euo pipefail
cd "$(dirname "$0")/../.."
PG=${PG:-postgres://postgres:lingji-test@127.0.0.1:5432}
DB=${DB:-pbench_province}
KEY=${KEY:?the audit key file of the province database}
BIN=${BIN:-target/release/lingji}
PORT=${PORT:-18471}
CONC=${CONC:-16}
DUR=${DUR:-10}
ROUNDS=${ROUNDS:-3}
REQ=${REQ:-10000}
CITY=${CITY:-320100}
ALLOC=${ALLOC:-}
IMPORT_REGION=${IMPORT_REGION:-320201}
PHASES=${PHASES:-payments pages dashboard allocation import verify}
export LINGJI_DATABASE_URL=$PG/$DB LINGJI_AUDIT_KEY_FILE=$KEY
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

serve() {
  "$BIN" serve --listen "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
  server=$!
  until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.2; done
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
login() { # username -> session cookie value
  curl -s -c "$work/$1.jar" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"lingji-demo\"}" "http://127.0.0.1:$PORT/api/v1/auth/login" >/dev/null
  awk '$6 == "lingji_session" { print $7 }' "$work/$1.jar"
}
p99() { # cookie path -> "p99 ms, req/s, non-2xx"
  local out
  out=$(wrk -t2 -c"$CONC" -d"${DUR}s" --timeout 30s --latency -H "Cookie: lingji_session=$1" "http://127.0.0.1:$PORT$2")
  echo "$out" | awk '/^ +99%/ { p = $2 } /Requests\/sec/ { r = $2 } /Non-2xx/ { n = $NF } END { printf "p99 %s, %s req/s, non-2xx %s\n", p, r, n ? n : 0 }'
}
pgbench_tps() {
  pgbench -b tpcb-like -c "$CONC" -j 2 -T 15 "$PG/pbench_pgbench" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}

for phase in $PHASES; do
  case $phase in
  payments)
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS pbench_pgbench" -c "CREATE DATABASE pbench_pgbench" >/dev/null
    pgbench -q -i -s 10 "$PG/pbench_pgbench" >/dev/null 2>&1
    echo "== payments: pgbench tpcb-like -c $CONC -j 2 -T 15 (scale 10) alternating with lingji bench payments in $CITY ($REQ requests, $CONC at a time)"
    for round in $(seq "$ROUNDS"); do
      tps=$(pgbench_tps)
      out=$("$BIN" bench payments --requests "$REQ" --concurrency "$CONC" --region "$CITY" 2>/dev/null)
      per_s=$(echo "$out" | sed -n 2p | cut -f4)
      echo "round $round: pgbench $tps TPS, in process $per_s payments/s, ratio $(awk "BEGIN { printf \"%.2f\", $per_s / $tps }")"
    done
    range=$(echo "$out" | sed -n 's/.*（\([0-9]*\)–\([0-9]*\)）.*/\1 \2/p')
    token=$("$BIN" user token shicai --label bench)
    serve
    for round in $(seq "$ROUNDS"); do
      tps=$(pgbench_tps)
      http=$(LINGJI_TOKEN=$token LINGJI_LINE_FROM=${range% *} LINGJI_LINE_TO=${range#* } LINGJI_RUN=$RANDOM$round \
        wrk -t2 -c"$CONC" -d15s -s scripts/bench/payment.lua "http://127.0.0.1:$PORT" |
        awk '/Requests\/sec/ { r = $2 } /Non-2xx/ { n = $NF } END { print r, (n ? n : 0) }')
      echo "round $round: pgbench $tps TPS, over HTTP ${http% *} payments/s (non-2xx ${http#* }), ratio $(awk "BEGIN { printf \"%.2f\", ${http% *} / $tps }")"
    done
    stop
    ;;
  pages)
    serve
    city=$(login shicai)
    prov=$(login shengcai)
    echo "== pages: wrk -t2 -c$CONC -d${DUR}s --latency"
    echo "anchor /healthz: $(p99 "$city" /healthz)"
    for who in city prov; do
      c=${!who}
      for path in "/projects?year=2026" "/projects?year=2026&state=submitted" "/api/v1/projects?year=2026&limit=50" \
        /reviews /payments /budget-lines; do
        echo "$who $path: $(p99 "$c" "$path")"
      done
    done
    echo "anchor /healthz again: $(p99 "$city" /healthz)"
    stop
    ;;
  dashboard)
    # The figures are gathered upward daily (the server's hourly check, or this command):
    # gathering every jurisdiction's is the cost the dashboard no longer pays per request.
    /usr/bin/time -f "gather (lingji jurisdiction gather) %e s, %M KB" "$BIN" jurisdiction gather
    serve
    prov=$(login shengcai)
    echo "== province dashboard as shengcai (curl, whole request)"
    for i in 1 2 3 4 5; do
      for path in /province /api/v1/province-dashboard; do
        curl -s -o /dev/null -w "$path %{http_code} %{time_total} s %{size_download} B\n" \
          -H "Cookie: lingji_session=$prov" "http://127.0.0.1:$PORT$path"
      done
    done
    curl -s -o /dev/null -w "anchor /healthz %{http_code} %{time_total} s\n" "http://127.0.0.1:$PORT/healthz"
    stop
    ;;
  allocation)
    region=${ALLOC:-$(psql "$PG/$DB" -Atc "SELECT region_code FROM organisations WHERE kind = 'jurisdiction' ORDER BY id DESC LIMIT 1")}
    n=$(psql "$PG/$DB" -Atc "SELECT COUNT(*) FROM projects p JOIN organisations j ON j.id = p.jurisdiction_id WHERE j.region_code = '$region' AND p.state = 'admitted'")
    echo "== allocation in $region ($n admitted projects)"
    /usr/bin/time -f "whole command %e s, %M KB" "$BIN" bench approve --region "$region" --year 2026
    ;;
  import)
    echo "== import of 100,000 projects into $IMPORT_REGION"
    # The workbook's cost lines name the demo's standard P-MEET-2, which the generated
    # province's catalogues do not hold: added to the county's catalogue here (fixture).
    psql "$PG/$DB" -qc "INSERT INTO standards (jurisdiction_id, code, name, category, unit_of_measure, amount, unit_kinds, from_year, to_year, source) \
      SELECT id, 'P-MEET-2', '二类会议综合定额', 'project', '元/人·天', 50000, '', 2025, NULL, '基准' FROM organisations \
      WHERE region_code = '$IMPORT_REGION' ON CONFLICT DO NOTHING"
    "$BIN" bench workbook --projects 100000 --year 2026 --region "$IMPORT_REGION" -o "$work/p100k.xlsx" >/dev/null
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS pbench_anchor" -c "CREATE DATABASE pbench_anchor" >/dev/null
    /usr/bin/time -f "anchor pgbench -i -s 1 (100,000 rows): %e s" pgbench -q -i -s 1 "$PG/pbench_anchor" >/dev/null 2>"$work/anchor.txt" || true
    tail -1 "$work/anchor.txt"
    psql "$PG/postgres" -qc "DROP DATABASE pbench_anchor" >/dev/null
    /usr/bin/time -f "import %e s, %M KB, user %U s sys %S s" "$BIN" import projects "$work/p100k.xlsx" --year 2026 --region "$IMPORT_REGION"
    ;;
  verify)
    echo "== audit verify ($(psql "$PG/$DB" -Atc "SELECT COUNT(*) FROM audit_events") events, $(psql "$PG/$DB" -Atc "SELECT COUNT(*) FROM ledger_entries") ledger entries)"
    /usr/bin/time -f "anchor: every event read in order and hashed once, %e s" \
      sh -c "psql '$PG/$DB' -Atc 'COPY (SELECT * FROM audit_events ORDER BY seq) TO STDOUT' | sha256sum >/dev/null"
    /usr/bin/time -f "verify %e s, %M KB, user %U s" "$BIN" audit verify
    ;;
  esac
done

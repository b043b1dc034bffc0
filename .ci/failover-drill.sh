#!/usr/bin/env bash
# Failover drill (docs/OPERATIONS.md, "High availability and the failover drill"). On one
# machine, from Debian's packages:
#
#   pg_auto_failover (postgresql-15-auto-failover): a monitor and two PostgreSQL 15 nodes,
#     node1 the primary and node2 its synchronous standby;
#   HAProxy (haproxy): port 6010 leads to whichever node takes writes now (an external check
#     asks each node every second whether it is a primary and not read-only), port 7100 balances two
#     `lingji serve` (7101, 7102) that both use port 6010;
#   a client posting payments through port 7100 in a loop, one at a time, each with its own
#     idempotency key, noting every answer.
#
# After a quiet stretch the primary's node is stopped (pg_autoctl stop: keeper and PostgreSQL);
# pg_auto_failover promotes node2. The drill then measures what the client saw (failed
# requests, seconds until a payment succeeds again), checks that every acknowledged payment is
# in the database with its ledger entry, and that `lingji audit verify` passes. Finally node1
# is started again and rejoins as the standby. The figures go to $DIR/result.txt.
#
# Not part of .ci/run (it takes minutes and installs packages). Run as root:
#   bash .ci/failover-drill.sh            # builds lingji (debug) unless LINGJI_BIN is given
# Environment: LINGJI_BIN (the lingji binary), DRILL_DIR (default /tmp/lingji-drill),
# DRILL_BEFORE / DRILL_AFTER (seconds of load before the stop / after writes are back).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DRILL_DIR:-/tmp/lingji-drill}
BEFORE=${DRILL_BEFORE:-10}
AFTER=${DRILL_AFTER:-10}
PGBIN=/usr/lib/postgresql/15/bin
MONITOR_PORT=6000 NODE1_PORT=6001 NODE2_PORT=6002 PG_FRONT=6010
WEB_FRONT=7100 WEB_A=7101 WEB_B=7102
say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

need=()
command -v pg_autoctl >/dev/null || need+=(postgresql-15-auto-failover)
command -v haproxy >/dev/null || need+=(haproxy)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -z "${LINGJI_BIN:-}" ]; then
  cargo build -q -p lingji-cli
  LINGJI_BIN=${CARGO_TARGET_DIR:-target}/debug/lingji
fi
LINGJI_BIN=$(realpath "$LINGJI_BIN")

# pg_autoctl keeps its configuration and state under XDG folders: the drill's own, so that
# the clean slate below is clean.
as_pg() {
  runuser -u postgres -- env PG_CONFIG=$PGBIN/pg_config PATH="$PGBIN:$PATH" \
    XDG_CONFIG_HOME="$DIR/xdg/config" XDG_DATA_HOME="$DIR/xdg/data" "$@"
}

# --- a clean slate: what an earlier drill left behind -------------------------------------
stop_pidfile() { [ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null || true; }
if [ -d "$DIR" ]; then
  stop_pidfile "$DIR/client.pid"
  stop_pidfile "$DIR/lingji-a.pid"
  stop_pidfile "$DIR/lingji-b.pid"
  stop_pidfile "$DIR/haproxy.pid"
  for node in node2 node1 monitor; do
    [ -d "$DIR/$node" ] && as_pg pg_autoctl stop --pgdata "$DIR/$node" --immediate >/dev/null 2>&1 || true
  done
  sleep 2
  rm -rf "$DIR"
fi
mkdir -p "$DIR"
chown postgres:postgres "$DIR"
state() { as_pg pg_autoctl show state --pgdata "$DIR/monitor" 2>/dev/null; }
wait_state() { # NODE STATE SECONDS
  for _ in $(seq 1 "$3"); do
    if state | awk -F'|' -v n="$1" -v s="$2" '{ gsub(/ /, "") } $1 == n && $(NF-1) == s && $NF == s { found = 1 } END { exit !found }'; then
      return 0
    fi
    sleep 1
  done
  say "$1 did not reach $2:"; state >&2; return 1
}

# --- pg_auto_failover: monitor, node1, node2 ----------------------------------------------
say "monitor on $MONITOR_PORT"
as_pg nohup pg_autoctl create monitor --pgdata "$DIR/monitor" --pgport $MONITOR_PORT \
  --pgctl $PGBIN/pg_ctl --hostname 127.0.0.1 --auth trust --no-ssl --run >"$DIR/monitor.log" 2>&1 &
for _ in $(seq 1 60); do
  as_pg psql -h 127.0.0.1 -p $MONITOR_PORT -d pg_auto_failover -qtAc 'SELECT 1' >/dev/null 2>&1 && break
  sleep 1
done
MONITOR_URI="postgres://autoctl_node@127.0.0.1:$MONITOR_PORT/pg_auto_failover?sslmode=disable"
start_node() { # NAME PORT
  as_pg nohup pg_autoctl create postgres --pgdata "$DIR/$1" --pgport "$2" --pgctl $PGBIN/pg_ctl \
    --hostname 127.0.0.1 --name "$1" --dbname lingji --monitor "$MONITOR_URI" \
    --auth trust --no-ssl --run >"$DIR/$1.log" 2>&1 &
}
say "node1 on $NODE1_PORT"
start_node node1 $NODE1_PORT
wait_state node1 single 120
say "node2 on $NODE2_PORT"
start_node node2 $NODE2_PORT
# pg_autoctl's base backup waits for the primary's next checkpoint (up to checkpoint_timeout):
# one now.
sleep 5
as_pg psql -h 127.0.0.1 -p $NODE1_PORT -d postgres -qtAc 'CHECKPOINT' >/dev/null
wait_state node2 secondary 180
wait_state node1 primary 60
state >&2
# lingji signs in as postgres over TCP on both nodes (a drill: trust; production: scram).
for node in node1 node2; do
  echo "host all postgres 127.0.0.1/32 trust" >>"$DIR/$node/pg_hba.conf"
  as_pg psql -h 127.0.0.1 -p "$([ $node = node1 ] && echo $NODE1_PORT || echo $NODE2_PORT)" -d postgres \
    -qtAc 'SELECT pg_reload_conf()' >/dev/null
done

# --- HAProxy: the primary's port and the two lingji servers --------------------------------
cat >"$DIR/is-primary.sh" <<EOF
#!/bin/sh
# HAProxy external check: \$3 address, \$4 port; up when that node takes writes (what libpq's
# target_session_attrs=read-write asks): a primary, and not one pg_auto_failover holds
# read-only while it makes sure the old primary is gone (state stop_replication).
[ "\$(PGCONNECT_TIMEOUT=1 $PGBIN/psql -h "\$3" -p "\$4" -U postgres -d postgres -qtAc \
  "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'" 2>/dev/null)" = t ]
EOF
chmod 755 "$DIR/is-primary.sh"
# What a client gets from HAProxy itself when no lingji server answers /healthz: the same 503
# as lingji's own DATABASE_UNAVAILABLE (problem+json, Chinese title, Retry-After), not the
# stock English page. An errorfile is a whole HTTP response, CRLF line ends.
{
  printf 'HTTP/1.1 503 Service Unavailable\r\n'
  printf 'Content-Type: application/problem+json\r\n'
  printf 'Retry-After: 5\r\n'
  printf 'Cache-Control: no-store\r\n'
  printf 'Connection: close\r\n\r\n'
  printf '{"type":"urn:lingji:problem:DATABASE_UNAVAILABLE","title":"系统正在切换数据库，请稍后重试","status":503,"code":"DATABASE_UNAVAILABLE"}\n'
} >"$DIR/503.http"
cat >"$DIR/haproxy.cfg" <<EOF
global
    external-check
    insecure-fork-wanted
    log stderr format short local0 info
defaults
    timeout connect 2s
    timeout client 60s
    timeout server 60s
listen postgres_primary
    bind 127.0.0.1:$PG_FRONT
    mode tcp
    option external-check
    external-check command $DIR/is-primary.sh
    default-server inter 1s fall 1 rise 1 on-marked-down shutdown-sessions
    server node1 127.0.0.1:$NODE1_PORT check
    server node2 127.0.0.1:$NODE2_PORT check
listen lingji
    bind 127.0.0.1:$WEB_FRONT
    mode http
    balance roundrobin
    option httpchk GET /healthz
    errorfile 503 $DIR/503.http
    default-server inter 1s fall 2 rise 1
    server a 127.0.0.1:$WEB_A check
    server b 127.0.0.1:$WEB_B check
EOF
haproxy -c -f "$DIR/haproxy.cfg" >/dev/null
haproxy -f "$DIR/haproxy.cfg" -D -p "$DIR/haproxy.pid" 2>"$DIR/haproxy.log"
sleep 3

# --- lingji: the demo, tokens, two servers, a line to pay from ----------------------------
export LINGJI_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_FRONT/lingji"
export LINGJI_AUDIT_KEY_FILE="$DIR/audit.key"
cd "$DIR"
"$LINGJI_BIN" demo >"$DIR/demo.log" 2>&1
FINANCE=$("$LINGJI_BIN" user token caizheng)
UNIT=$("$LINGJI_BIN" user token danwei)
for s in a b; do
  port=$([ $s = a ] && echo $WEB_A || echo $WEB_B)
  nohup "$LINGJI_BIN" serve --listen 127.0.0.1:$port >"$DIR/lingji-$s.log" 2>&1 &
  echo $! >"$DIR/lingji-$s.pid"
done
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$WEB_FRONT/healthz" >/dev/null && break
  sleep 1
done
sleep 2
UNIT_ID=$(curl -sf -H "Authorization: Bearer $FINANCE" "http://127.0.0.1:$WEB_FRONT/api/v1/orgs" |
  python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin) if o["code"] == "101001"))')
LINE=$(curl -sf -H "Authorization: Bearer $FINANCE" -H 'Content-Type: application/json' \
  -d "{\"year\": 2026, \"unit_id\": $UNIT_ID, \"name\": \"公用经费（演练）\", \"economic_code\": \"302\",
       \"fund_book\": \"general_public\", \"amount\": \"10000000.00\", \"document\": \"示财预〔2026〕9号\"}" \
  "http://127.0.0.1:$WEB_FRONT/api/v1/budget-lines" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
say "line $LINE; the client starts"

# --- the client: one payment at a time through HAProxy, every answer noted -----------------
cat >"$DIR/client.py" <<'EOF'
import json, sys, time, urllib.request, urllib.error
port, token, line, out, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
import os
with open(out, "w") as log:
    n = 0
    while not os.path.exists(stop):
        key = f"drill-{n:06d}"
        body = json.dumps({"payee_name": "示范市办公用品有限公司", "payee_account": "6222021234567890",
            "payee_kind": "unit", "amount": "1.00", "economic_code": "30201", "line_id": line,
            "purpose": "采购办公用品", "date": "2026-03-10", "idempotency_key": key}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/payments", data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        start = time.time()
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        except Exception as e:
            status, text = 0, repr(e)
        try:
            pid = json.loads(text).get("id") if status in (200, 201) else None
        except Exception:
            pid = None
        log.write(json.dumps({"t": start, "ms": round((time.time() - start) * 1000), "key": key,
            "status": status, "id": pid, "text": text[:200] if pid is None else ""}) + "\n")
        log.flush()
        n += 1
        time.sleep(0.05)
EOF
rm -f "$DIR/stop"
python3 "$DIR/client.py" $WEB_FRONT "$UNIT" "$LINE" "$DIR/answers.jsonl" "$DIR/stop" &
echo $! >"$DIR/client.pid"
sleep "$BEFORE"

# --- the outage: node1 (the primary) stops -------------------------------------------------
STOPPED=$(date +%s.%N)
say "stopping the primary (node1)"
as_pg pg_autoctl stop --pgdata "$DIR/node1" --fast
# Until a payment fails and then succeeds again, then $AFTER seconds more.
back=""
for _ in $(seq 1 300); do
  back=$(python3 - "$DIR/answers.jsonl" "$STOPPED" <<'EOF'
import json, sys
stopped, failed = float(sys.argv[2]), False
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a["t"] > stopped and a["status"] not in (200, 201):
        failed = True
    elif failed and a["status"] in (200, 201):
        print(a["t"]); break
EOF
)
  [ -n "$back" ] && break
  sleep 1
done
[ -n "$back" ] || say "writes did not come back within 300 s"
say "writes are back; $AFTER s more"
sleep "$AFTER"
touch "$DIR/stop"
wait "$(cat "$DIR/client.pid")" || true
state >&2

# --- the figures and the checks ----------------------------------------------------------
PSQL=(as_pg psql -h 127.0.0.1 -p $PG_FRONT -U postgres -d lingji -qtA)
for _ in $(seq 1 60); do "${PSQL[@]}" -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
"${PSQL[@]}" -c "SELECT idempotency_key || ' ' || id FROM payments WHERE line_id = $LINE" >"$DIR/stored.txt"
"${PSQL[@]}" -c "SELECT kind || ' ' || count(*) || ' ' || sum(amount) FROM ledger_entries WHERE line_id = $LINE GROUP BY kind ORDER BY kind" >"$DIR/ledger.txt"
AUDIT_RC=0
"$LINGJI_BIN" audit verify >"$DIR/audit.txt" 2>&1 || AUDIT_RC=$?
python3 - "$DIR" "$STOPPED" "$AUDIT_RC" <<'EOF' | tee "$DIR/result.txt"
import json, sys
d, stopped, audit_rc = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
answers = [json.loads(l) for l in open(f"{d}/answers.jsonl")]
stored = dict(l.split() for l in open(f"{d}/stored.txt") if l.strip())
ok = [a for a in answers if a["status"] in (200, 201)]
failed = [a for a in answers if a["status"] not in (200, 201)]
after = [a for a in answers if a["t"] >= stopped]
first_fail = next((a for a in after if a["status"] not in (200, 201)), None)
back = next((a for a in after if first_fail and a["t"] > first_fail["t"] and a["status"] in (200, 201)), None)
lost = [a["key"] for a in ok if stored.get(a["key"]) != str(a["id"])]
unacked_stored = [a["key"] for a in failed if a["key"] in stored]
by_status = {}
for a in failed:
    by_status[a["status"]] = by_status.get(a["status"], 0) + 1
ledger = {l.split()[0]: (int(l.split()[1]), int(l.split()[2])) for l in open(f"{d}/ledger.txt") if l.strip()}
print(f"requests: {len(answers)}; acknowledged: {len(ok)}; failed: {len(failed)} by status {by_status} (0 = no answer)")
print(f"longest request during the outage: {max((a['ms'] for a in after), default=0)} ms")
if back:
    print(f"writes succeeded again {back['t'] - stopped:.1f} s after the primary stopped")
if first_fail and back:
    print(f"first failed request {first_fail['t'] - stopped:.1f} s after the stop; failures for {back['t'] - first_fail['t']:.1f} s")
print(f"acknowledged payments missing or different in the database: {len(lost)} {lost[:5]}")
print(f"payments stored although their request failed (stored, not acknowledged; a retry with the key finds them): {len(unacked_stored)}")
print(f"payments on the line: {len(stored)}; ledger entries by kind: {ledger}")
print(f"lingji audit verify: {'passed' if audit_rc == 0 else 'FAILED'}")
sys.exit(1 if lost or audit_rc else 0)
EOF
RC=${PIPESTATUS[0]}

# --- node1 comes back and rejoins as the standby ------------------------------------------
say "node1 starts again"
as_pg nohup pg_autoctl run --pgdata "$DIR/node1" >>"$DIR/node1.log" 2>&1 &
if wait_state node1 secondary 180; then
  echo "node1 rejoined as the standby of node2" | tee -a "$DIR/result.txt"
fi
state | tee -a "$DIR/result.txt"

# --- stop everything (DRILL_KEEP=1 leaves it running) -------------------------------------
if [ "${DRILL_KEEP:-0}" != 1 ]; then
  stop_pidfile "$DIR/lingji-a.pid"
  stop_pidfile "$DIR/lingji-b.pid"
  stop_pidfile "$DIR/haproxy.pid"
  for node in node2 node1 monitor; do
    as_pg pg_autoctl stop --pgdata "$DIR/$node" >/dev/null 2>&1 || true
  done
fi
exit "$RC"

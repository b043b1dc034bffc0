#!/usr/bin/env bash
# Starts Debian's PostgreSQL 15 (installed but stopped on a fresh machine) and makes a
# password login for the tests: the primary, cluster 15/main on port 5432. Prints the URL for
# LINGJI_TEST_POSTGRES_URL on stdout.
#
# It also makes and starts a streaming replica of that primary on the same machine: cluster
# 15/replica on port 5433, a copy taken with `pg_basebackup -R` (which writes primary_conninfo
# and standby.signal) over a physical replication slot, hot standby on, so that the tests can
# send their reads to it. `bash .ci/postgres.sh --read-url` does the same and prints the
# replica's URL instead (LINGJI_TEST_POSTGRES_READ_URL); the replica has the primary's
# databases and logins, so a test database created on the primary is the same name there.
#
# Idempotent: a second run finds both clusters up and changes nothing; a replica that is not
# streaming from this primary (say the primary was made anew) is dropped and copied again.
#
# LINGJI_CI_REPLICA_DELAY (default 100ms): the replica applies each commit that much after
# the primary (recovery_min_apply_delay), so that a read sent to the replica that should have
# seen a write fails every time rather than once in a while (docs/OPERATIONS.md). 0 turns it
# off.
set -euo pipefail
want=primary
if [ "${1:-}" = "--read-url" ]; then want=replica; fi
PASSWORD=lingji-test
REPLICA_PORT=5433
REPLICA_DELAY=${LINGJI_CI_REPLICA_DELAY:-100ms}
SLOT=lingji_replica

if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
fi
if ! pg_lsclusters -h | grep -q '^15 *main '; then
  pg_createcluster 15 main >&2
fi
if ! pg_lsclusters -h | grep -q '^15 *main .* online'; then
  pg_ctlcluster 15 main start >&2
fi
psql_on() { # PORT SQL: one value, as the postgres user over the socket
  su postgres -c "psql -p $1 -qtAc \"$2\""
}
wait_for() { # PORT
  for _ in $(seq 1 60); do
    if psql_on "$1" 'SELECT 1' >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "PostgreSQL on port $1 does not answer" >&2
  return 1
}
wait_for 5432
psql_on 5432 "ALTER USER postgres PASSWORD '$PASSWORD'" >/dev/null
# The replica streams as a role of its own, allowed by Debian's default pg_hba.conf line
# `host replication all 127.0.0.1/32 scram-sha-256`.
if [ "$(psql_on 5432 "SELECT count(*) FROM pg_roles WHERE rolname = 'lingji_replication'")" = 0 ]; then
  psql_on 5432 "CREATE ROLE lingji_replication WITH REPLICATION LOGIN" >/dev/null
fi
psql_on 5432 "ALTER ROLE lingji_replication PASSWORD '$PASSWORD'" >/dev/null
# The slot keeps the WAL the replica has not received yet, up to a bound: a replica gone for
# good must not fill the disk.
if [ "$(psql_on 5432 "SHOW max_slot_wal_keep_size")" = "-1" ]; then
  psql_on 5432 "ALTER SYSTEM SET max_slot_wal_keep_size = '2GB'" >/dev/null
  psql_on 5432 "SELECT pg_reload_conf()" >/dev/null
fi

replica_healthy() {
  pg_lsclusters -h | grep -q "^15 *replica *$REPLICA_PORT *online" || return 1
  wait_for $REPLICA_PORT 2>/dev/null || return 1
  [ "$(psql_on $REPLICA_PORT 'SELECT pg_is_in_recovery()')" = t ] || return 1
  # A copy of this primary, not of an earlier one.
  [ "$(psql_on $REPLICA_PORT 'SELECT system_identifier FROM pg_control_system()')" = \
    "$(psql_on 5432 'SELECT system_identifier FROM pg_control_system()')" ] || return 1
  for _ in $(seq 1 20); do
    if [ "$(psql_on $REPLICA_PORT 'SELECT status FROM pg_stat_wal_receiver')" = streaming ]; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

if pg_lsclusters -h | grep -q '^15 *replica ' && ! pg_lsclusters -h | grep -q '^15 *replica .* online'; then
  pg_ctlcluster 15 replica start >&2 || true
fi
if ! replica_healthy; then
  echo "making the replica 15/replica on port $REPLICA_PORT (pg_basebackup from 15/main)" >&2
  if pg_lsclusters -h | grep -q '^15 *replica '; then
    pg_dropcluster --stop 15 replica >&2
  fi
  if [ "$(psql_on 5432 "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$SLOT'")" != 0 ]; then
    psql_on 5432 "SELECT pg_drop_replication_slot('$SLOT')" >/dev/null
  fi
  # Debian's layout (configuration in /etc/postgresql/15/replica, managed by pg_ctlcluster),
  # its data folder then replaced by the copy.
  pg_createcluster 15 replica -p $REPLICA_PORT >&2
  data=/var/lib/postgresql/15/replica
  rm -rf "$data"
  su postgres -c "PGPASSWORD=$PASSWORD pg_basebackup -h 127.0.0.1 -p 5432 -U lingji_replication \
    -D $data -R -C -S $SLOT -X stream --checkpoint=fast" >&2
  conf=/etc/postgresql/15/replica/conf.d/lingji-replica.conf
  {
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "recovery_min_apply_delay = '$REPLICA_DELAY'"
  } >"$conf"
  pg_ctlcluster 15 replica start >&2
  replica_healthy || { echo "the replica does not stream from the primary" >&2; exit 1; }
fi
# The apply delay as asked this time (a reload, no copy).
conf=/etc/postgresql/15/replica/conf.d/lingji-replica.conf
if ! grep -qx "recovery_min_apply_delay = '$REPLICA_DELAY'" "$conf"; then
  sed -i "s/^recovery_min_apply_delay = .*/recovery_min_apply_delay = '$REPLICA_DELAY'/" "$conf"
  pg_ctlcluster 15 replica reload >&2
fi

if [ "$want" = replica ]; then
  echo "postgres://postgres:$PASSWORD@127.0.0.1:$REPLICA_PORT/postgres"
else
  echo "postgres://postgres:$PASSWORD@127.0.0.1:5432/postgres"
fi

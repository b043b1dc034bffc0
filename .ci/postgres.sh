#!/usr/bin/env bash
# Starts Debian's PostgreSQL 15 (installed but stopped on a fresh machine) and makes a
# password login for the tests. Prints the URL for LINGJI_TEST_POSTGRES_URL on stdout.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
fi
if ! pg_lsclusters -h | grep -q '^15 *main'; then
  pg_createcluster 15 main >&2
fi
if ! pg_lsclusters -h | grep -q '^15 *main .* online'; then
  pg_ctlcluster 15 main start >&2
fi
for _ in $(seq 1 30); do
  if su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
su postgres -c "psql -qtAc \"ALTER USER postgres PASSWORD 'lingji-test'\"" >/dev/null
echo "postgres://postgres:lingji-test@127.0.0.1:5432/postgres"

#!/usr/bin/env bash
# Makes a PostgreSQL server reachable for the tests and prints the URL they should use.
# This kind of machine runs one at 127.0.0.1:5432 (trust auth, database "test"); start it if it
# stopped, and install one from Debian's packages where none exists.
set -euo pipefail
url="postgres://postgres@127.0.0.1:5432/test"
if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then echo "$url"; exit 0; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian's packages" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
if psql "$url" -Atc 'select 1' >/dev/null 2>&1; then echo "$url"; exit 0; fi
# A fresh Debian cluster: local peer auth only. Give root a role and the "test" database.
su postgres -c "psql -qc \"DO \\\$\\\$BEGIN CREATE ROLE root SUPERUSER LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\\\$\\\$\"" >&2
su postgres -c "createdb -O root test" >&2 2>/dev/null || true
echo "postgres:///test?host=/var/run/postgresql"

#!/bin/sh
# Run once by the postgres image when it creates the `db` volume (/docker-entrypoint-initdb.d):
# a role that may stream the WAL, and the pg_hba line that lets it (replication connections
# match no "all" line). For a volume made before this script existed, run it by hand:
#   docker compose exec -u postgres db sh /docker-entrypoint-initdb.d/init-replication.sh
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD %L', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator')\gexec
SQL
grep -q "^host replication replicator" "$PGDATA/pg_hba.conf" \
    || echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "SELECT pg_reload_conf()" >/dev/null

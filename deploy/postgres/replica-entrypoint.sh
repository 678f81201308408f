#!/bin/sh
# The `db-replica` service (compose profile `replica`): a hot standby streaming from `db`.
# First start: copy `db` with pg_basebackup -R (which writes standby.signal and the
# primary_conninfo), then run postgres on that copy; later starts reuse it.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h db -p 5432 -q; do sleep 1; done
    export PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD"
    pg_basebackup -h db -p 5432 -U replicator -D "$PGDATA" -R -X stream --checkpoint=fast
    chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on

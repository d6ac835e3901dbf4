#!/usr/bin/env bash
# A streaming replica of the local primary as a second Debian cluster on the same machine:
#   deploy/postgresql/local-replica.sh [start|stop|status|drop]
# Primary: the cluster "main" of PostgreSQL 15 on 127.0.0.1:5432 (Debian's default); replica: the
# cluster "replica" on 127.0.0.1:5433, made with pg_basebackup -R (it follows the primary's WAL stream,
# read-only, hot_standby). The primary is only reloaded (a replication line in pg_hba.conf when it lacks
# one), never restarted: wal_level=replica and max_wal_senders=10 are PostgreSQL 15's defaults.
# On two servers the same steps apply with the primary's address instead of 127.0.0.1 (docs/deploy.md).
set -euo pipefail
VERSION=${PG_VERSION:-15}
PRIMARY=${PRIMARY_CLUSTER:-main}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
NAME=${REPLICA_CLUSTER:-replica}
PORT=${REPLICA_PORT:-5433}
REPL_USER=${REPL_USER:-postgres}
DATA=/var/lib/postgresql/$VERSION/$NAME

exists() { pg_lsclusters -h | awk -v v="$VERSION" -v n="$NAME" '$1==v && $2==n {found=1} END {exit !found}'; }

case "${1:-start}" in
  start)
    hba=/etc/postgresql/$VERSION/$PRIMARY/pg_hba.conf
    if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+[^[:space:]]+[[:space:]]+127\.0\.0\.1/32' "$hba"; then
      echo "host    replication     $REPL_USER        127.0.0.1/32            trust" >> "$hba"
      pg_ctlcluster "$VERSION" "$PRIMARY" reload
    fi
    exists || pg_createcluster "$VERSION" "$NAME" --port "$PORT" >/dev/null
    if [ ! -f "$DATA/standby.signal" ]; then
      # pg_createcluster made an empty primary of its own: replace its data with the primary's copy.
      rm -rf "$DATA"
      install -d -o postgres -g postgres -m 700 "$DATA"
      # -R: standby.signal + primary_conninfo; -X stream: the WAL written during the copy comes along.
      runuser -u postgres -- pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$REPL_USER" -D "$DATA" -R -X stream \
        --checkpoint=fast --progress
      # The replica keeps its own port (the copied postgresql.auto.conf holds none; Debian's conf does).
      echo "hot_standby = on" > "/etc/postgresql/$VERSION/$NAME/conf.d/replica.conf"
      echo "hot_standby_feedback = on" >> "/etc/postgresql/$VERSION/$NAME/conf.d/replica.conf"
      # The same clients may read the replica as may use the primary.
      install -o postgres -g postgres -m 640 "$hba" "/etc/postgresql/$VERSION/$NAME/pg_hba.conf"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PORT" && break; sleep 1; done
    "$0" status
    ;;
  stop)
    exists && pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" stop || true
    ;;
  status)
    psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atc \
      "SELECT 'primary sends to ' || client_addr || ' state=' || state || ' replay_lag=' || coalesce(replay_lag::text, '0')
       FROM pg_stat_replication"
    psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc \
      "SELECT 'replica in recovery=' || pg_is_in_recovery() || ' replayed=' || pg_last_wal_replay_lsn()
              || ' behind=' || coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::int::text, '?') || ' s'"
    ;;
  drop)
    exists && pg_dropcluster --stop "$VERSION" "$NAME" || true
    ;;
  *) echo "usage: $0 [start|stop|status|drop]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A province's history — 10 M cases + 10 M appeals — measured on a machine whose disk is smaller than
# the ~100 GB such a database takes (docs/scale.md). The database lives in a tablespace on a btrfs
# file system mounted with zstd compression from a sparse file: PostgreSQL's pages of this history
# compress about 4.5-fold (the demo + 20 k cases and appeals: 371 MB in 84 MB on btrfs zstd:1 by
# compsize; a 1 M-appeal database: 4.6 GB in 0.9 GB by zstd -1), so the same database needs some
# 22–30 GB of real disk. The pages the benchmark times are read from memory once warm; the
# compression costs CPU on writes and cold reads only.
#
#   bench/province.sh setup      # btrfs file + mount + tablespace + empty database (root)
#   bench/province.sh load       # migrate, the Meixian demo, then the history (bench/generate.py --in-database)
#   bench/province.sh grow       # more history on the loaded database (CASES, APPEALS more), to measure again
#   bench/province.sh measure    # bench/run.py on it, beside pgbench: table printed and written to bench/results/
#   bench/province.sh teardown   # drop the database and tablespace, unmount, delete the file
#
# Settings (environment): CASES, APPEALS (10000000 each), IMAGE (/var/tmp/yiwang-province.img),
# IMAGE_SIZE (sparse size, 400G), MOUNT (/mnt/yiwang-province), DB (yprovince), MIN_FREE_GB (10: the
# load stops when the real disk has less than this free), GENERATE_ARGS (--trust-keys). Nothing here
# downloads anything but Debian's btrfs-progs and btrfs-compsize.
set -euo pipefail
cd "$(dirname "$0")/.."

CASES=${CASES:-10000000}
APPEALS=${APPEALS:-10000000}
IMAGE=${IMAGE:-/var/tmp/yiwang-province.img}
IMAGE_SIZE=${IMAGE_SIZE:-400G}
MOUNT=${MOUNT:-/mnt/yiwang-province}
DB=${DB:-yprovince}
MIN_FREE_GB=${MIN_FREE_GB:-10}
GENERATE_ARGS=${GENERATE_ARGS:---trust-keys}  # foreign keys checked per chunk by one query, not row by row
PG="-h 127.0.0.1 -U postgres"
URL="postgres://postgres@127.0.0.1:5432/$DB"
PY=.venv/bin/python

free_gb() { df -BG --output=avail "$(dirname "$IMAGE")" | tail -1 | tr -dc '0-9'; }

setup() {
  command -v compsize >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq btrfs-progs btrfs-compsize
  mkdir -p "$MOUNT"
  if ! mountpoint -q "$MOUNT"; then
    [ -e "$IMAGE" ] || { truncate -s "$IMAGE_SIZE" "$IMAGE"; mkfs.btrfs -q "$IMAGE"; }
    mount -o loop,compress-force=zstd:1,noatime "$IMAGE" "$MOUNT"
  fi
  mkdir -p "$MOUNT/pg"
  chown postgres:postgres "$MOUNT/pg"
  psql $PG -tc "SELECT 1 FROM pg_tablespace WHERE spcname = 'province'" | grep -q 1 \
    || psql $PG -c "CREATE TABLESPACE province LOCATION '$MOUNT/pg'"
  psql $PG -tc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || psql $PG -c "CREATE DATABASE $DB TABLESPACE province"
  # A bulk load's server settings (PostgreSQL's "Populating a Database"): checkpoints every 16 GB of
  # WAL or 30 minutes instead of 1 GB or 5 minutes, so the pages are not written whole into the WAL
  # again after each checkpoint. A reload, no restart; teardown puts the defaults back.
  psql $PG -qc "ALTER SYSTEM SET max_wal_size = '16GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '30min'" \
    -c "SELECT pg_reload_conf()" >/dev/null
  echo "database $DB in tablespace province on $MOUNT ($(free_gb) GB free on the real disk)"
}

# Stops the load (SIGINT: the generator's chunk in flight is rolled back) when the real disk runs low.
watch_disk() {
  local pid=$1
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(free_gb)" -lt "$MIN_FREE_GB" ]; then
      echo "less than $MIN_FREE_GB GB free on the real disk: stopping the load" >&2
      kill -INT "$pid"   # the chunk in flight is rolled back: its statement is cancelled too
      psql $PG -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = '$DB'" >/dev/null
      return
    fi
    sleep 10
  done
}

load() {
  DEBUG=1 DATABASE_URL=$URL $PY manage.py migrate --noinput -v0
  DEBUG=1 DATABASE_URL=$URL $PY manage.py demo
  grow
}

grow() {
  # shellcheck disable=SC2086  # GENERATE_ARGS is a list of options
  DEBUG=1 DATABASE_URL=$URL $PY bench/generate.py --in-database --cases "$CASES" --appeals "$APPEALS" \
    --appeal-texts $GENERATE_ARGS &
  local pid=$!
  watch_disk "$pid" &
  wait "$pid"
  psql $PG -d "$DB" -Atc "SELECT pg_size_pretty(pg_database_size('$DB'))" | sed 's/^/database size: /'
  du -sh --apparent-size "$MOUNT/pg" | sed 's/^/logical: /'
  compsize -x "$MOUNT/pg" | grep -E '^(Type|TOTAL)' || true   # on-disk (compressed) against logical size
  echo "real disk free: $(free_gb) GB"
}

measure() {
  mkdir -p bench/results/province
  DEBUG=1 DATABASE_URL=$URL $PY bench/run.py --no-generate --no-sweep --repeat 10 --out bench/results/province
}

teardown() {
  psql $PG -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  psql $PG -c "DROP TABLESPACE IF EXISTS province"
  psql $PG -qc "ALTER SYSTEM RESET max_wal_size" -c "ALTER SYSTEM RESET checkpoint_timeout" \
    -c "SELECT pg_reload_conf()" >/dev/null
  mountpoint -q "$MOUNT" && umount "$MOUNT"
  rm -f "$IMAGE"
  echo "removed; $(free_gb) GB free"
}

case "${1:-}" in
  setup | load | grow | measure | teardown) "$1" ;;
  *)
    sed -n '2,19p' "$0"
    exit 2
    ;;
esac

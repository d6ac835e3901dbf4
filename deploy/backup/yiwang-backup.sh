#!/usr/bin/env bash
# Nightly backups of Yiwang (deploy/systemd/yiwang-backup.timer), as the postgres user:
#   yiwang-backup.sh dump   — pg_dump, custom format, one file a night, 35 kept
#   yiwang-backup.sh base   — pg_basebackup (tar, compressed) on Sundays, 5 kept, and the archived WAL
#                             older than the oldest kept base backup removed (pg_archivecleanup)
# WAL archiving (deploy/postgresql/yiwang.conf) fills /var/backups/yiwang/wal between base backups, so the
# database can be recovered to any moment since the oldest base backup (docs/deploy.md, "Recovery").
# Copy /var/backups/yiwang to another machine (another building) every night; keep PII_KEY apart from it.
set -euo pipefail
ROOT=${BACKUP_ROOT:-/var/backups/yiwang}
DB=${BACKUP_DATABASE:-yiwang}
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}; export PGHOST PGPORT
BIN=/usr/lib/postgresql/15/bin
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$ROOT/dump" "$ROOT/base" "$ROOT/wal"

case "${1:-dump}" in
  dump)
    "$BIN/pg_dump" -Fc -Z 6 -f "$ROOT/dump/$DB-$stamp.dump.partial" "$DB"
    mv "$ROOT/dump/$DB-$stamp.dump.partial" "$ROOT/dump/$DB-$stamp.dump"
    ls -1t "$ROOT"/dump/"$DB"-*.dump | tail -n +36 | xargs -r rm --
    ;;
  base)
    target="$ROOT/base/$stamp"
    "$BIN/pg_basebackup" -D "$target" -Ft -z -X fetch --checkpoint=fast --label "yiwang-$stamp"
    ls -1dt "$ROOT"/base/*/ | tail -n +6 | xargs -r rm -rf --
    oldest=$(ls -1dt "$ROOT"/base/*/ | tail -1)
    # The first WAL file the oldest kept base backup needs: everything before it can go.
    needed=$(tar -xOzf "$oldest/base.tar.gz" backup_label | awk '/START WAL LOCATION/ {gsub(/\)/, "", $6); print $6}')
    [ -n "$needed" ] && "$BIN/pg_archivecleanup" "$ROOT/wal" "$needed"
    ;;
  *) echo "usage: $0 dump|base" >&2; exit 2 ;;
esac

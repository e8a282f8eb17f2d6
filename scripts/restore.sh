#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a fresh, empty database and an empty media folder.
# See README.md, "Backup and restore".
#
#   createdb -h 127.0.0.1 -U postgres cot_portal_restored
#   scripts/restore.sh /srv/backups/cot-portal/cot-portal-20251114T020000Z \
#     postgres://postgres@127.0.0.1:5432/cot_portal_restored /srv/cot/media-restored
#
# It refuses a database that already has tables and a media folder that is not empty: a
# restore never mixes with live data. The checksums are checked before anything is written.
set -euo pipefail

if [ "$#" -ne 3 ]; then
    echo "usage: $0 BACKUP_FOLDER TARGET_DATABASE_URL TARGET_MEDIA_ROOT" >&2
    exit 2
fi
backup="$1"
target_url="$2"
target_media="$3"

case "$target_url" in
    postgres://* | postgresql://*) ;;
    *) echo "restore.sh: the target must be a PostgreSQL URL" >&2; exit 2 ;;
esac
for name in database.dump media.tar.gz SHA256SUMS; do
    if [ ! -f "$backup/$name" ]; then
        echo "restore.sh: $backup/$name is missing: not a complete backup" >&2
        exit 1
    fi
done
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)

tables="$(psql --dbname="$target_url" --no-psqlrc --tuples-only --no-align \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
    echo "restore.sh: the target database has $tables tables; restore into a fresh one" >&2
    exit 1
fi
if [ -d "$target_media" ] && [ -n "$(ls -A "$target_media")" ]; then
    echo "restore.sh: $target_media is not empty; restore into a fresh folder" >&2
    exit 1
fi

# One transaction: the database is restored completely or not at all.
pg_restore --dbname="$target_url" --no-owner --no-privileges --exit-on-error \
    --single-transaction "$backup/database.dump"

mkdir -p "$target_media"
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$target_media"

echo "restored $backup"
echo "  database: ${target_url%%\?*}" | sed -E 's#://([^:@/]+):[^@]*@#://\1:***@#'
echo "  media:    $target_media ($(find "$target_media" -type f | wc -l | tr -d ' ') files)"
echo "next: DATABASE_URL=… MEDIA_ROOT=… python manage.py migrate --check (see README.md)"

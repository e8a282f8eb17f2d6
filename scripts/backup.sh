#!/usr/bin/env bash
# Back up cot-portal: the PostgreSQL database (pg_dump, custom format) and every uploaded or
# generated file (a tar of MEDIA_ROOT), into one dated folder. See README.md, "Backup and restore".
#
#   DATABASE_URL=postgres://user@host:5432/cot_portal MEDIA_ROOT=/srv/cot/media \
#     scripts/backup.sh /srv/backups/cot-portal
#
# The folder it makes, <backup root>/cot-portal-YYYYMMDDTHHMMSSZ/, holds:
#   database.dump   pg_dump --format=custom (restore with scripts/restore.sh or pg_restore)
#   media.tar.gz    MEDIA_ROOT, paths relative to it
#   MANIFEST        what was backed up, by which pg_dump, when
#   SHA256SUMS      checksums of the two files (restore.sh checks them first)
# The folder appears under its final name only when everything in it is complete.
# It prints the folder's path on its last line.
set -euo pipefail

usage() {
    echo "usage: DATABASE_URL=postgres://… MEDIA_ROOT=/path $0 [BACKUP_ROOT]" >&2
    echo "       BACKUP_ROOT defaults to \$COT_BACKUP_DIR, else var/backups" >&2
    exit 2
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${1:-${COT_BACKUP_DIR:-$here/var/backups}}"
media="${MEDIA_ROOT:-$here/var/media}"
database_url="${DATABASE_URL:-}"

case "$database_url" in
    postgres://* | postgresql://*) ;;
    *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL (the SQLite demo has no backup)" >&2
       usage ;;
esac
if [ ! -d "$media" ]; then
    echo "backup.sh: MEDIA_ROOT $media is not a folder" >&2
    exit 1
fi

# pg_dump refuses a server newer than itself; say so plainly before it does.
client_major="$(pg_dump --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')"
server_major="$(psql --dbname="$database_url" --no-psqlrc --tuples-only --no-align \
    --command='SHOW server_version_num' | cut -c1-2)"
if [ "$client_major" -lt "$server_major" ]; then
    echo "backup.sh: pg_dump $client_major is older than the server ($server_major)" >&2
    exit 1
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$root/cot-portal-$stamp"
partial="$final.partial"
mkdir -p "$root"
umask 077 # the dump holds personal data: readable by the backup's owner only
rm -rf "$partial"
mkdir "$partial"
trap 'rm -rf "$partial"' EXIT

pg_dump --dbname="$database_url" --format=custom --compress=6 --no-owner --no-privileges \
    --file="$partial/database.dump"
# A dump that pg_restore cannot read is no backup.
pg_restore --list "$partial/database.dump" >/dev/null

tar --create --gzip --file="$partial/media.tar.gz" --directory="$media" .

{
    echo "cot-portal backup"
    echo "created: $stamp"
    echo "database: ${database_url%%\?*}" | sed -E 's#://([^:@/]+):[^@]*@#://\1:***@#'
    echo "media: $media"
    echo "pg_dump: $(pg_dump --version)"
    echo "server_version_num: $(psql --dbname="$database_url" --no-psqlrc --tuples-only \
        --no-align --command='SHOW server_version_num')"
    echo "media files: $(find "$media" -type f | wc -l | tr -d ' ')"
} >"$partial/MANIFEST"
(cd "$partial" && sha256sum database.dump media.tar.gz >SHA256SUMS)

mv "$partial" "$final"
trap - EXIT
echo "$final"

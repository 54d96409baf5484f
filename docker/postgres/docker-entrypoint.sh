#!/bin/sh
# Entrypoint of local/postgres:15, compatible with the official image's for what tests use:
#   POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (postgres),
#   POSTGRES_DB (= user), PGDATA, POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD,
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz run once on first start,
#   arguments starting with "-" are server options (`postgres -c fsync=off`).
# It lives at /usr/local/bin/docker-entrypoint.sh because PostgreSqlContainer.withSSL() execs it
# there. On first start it prints "database system is ready to accept connections" twice
# (temporary server, then the real one), as the official image does, for log-based waits.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:=}"
: "${POSTGRES_INITDB_ARGS:=}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
export PGDATA
SOCKETS=/var/run/postgresql

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ] || [ "$(id -u)" != 0 ]; then
  exec "$@"
fi
shift # the rest are server options

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

mkdir -p "$PGDATA" "$SOCKETS"
chown postgres:postgres "$PGDATA" "$SOCKETS"
chmod 700 "$PGDATA"
chmod 2777 "$SOCKETS"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo "docker-entrypoint: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  # The password goes through a file, never the command line (visible in ps).
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" $POSTGRES_INITDB_ARGS >/dev/null
  rm -f "$pwfile"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  # Temporary server on the unix socket only, so nobody connects before the setup is done.
  as_postgres pg_ctl -D "$PGDATA" -w -s \
    -o "-c listen_addresses='' -c unix_socket_directories=$SOCKETS" start
  run_psql() {
    as_postgres psql -v ON_ERROR_STOP=1 -h "$SOCKETS" -U "$POSTGRES_USER" --no-password --no-psqlrc -q "$@"
  }
  if [ "$POSTGRES_DB" != postgres ]; then
    run_psql -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    # shellcheck disable=SC1090 # init scripts are the caller's
    case "$f" in
      *.sh) echo "docker-entrypoint: running $f"
        PGHOST=$SOCKETS PGUSER=$POSTGRES_USER PGDATABASE=$POSTGRES_DB . "$f" ;;
      *.sql) echo "docker-entrypoint: running $f"; run_psql -d "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "docker-entrypoint: running $f"; gzip -dc "$f" | run_psql -d "$POSTGRES_DB" ;;
      *) echo "docker-entrypoint: ignoring $f" ;;
    esac
  done
  as_postgres pg_ctl -D "$PGDATA" -m fast -w -s stop
  echo "PostgreSQL init process complete; ready for start up."
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups -- \
  postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories="$SOCKETS" "$@"

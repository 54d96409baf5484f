#!/bin/sh
# Entrypoint of local/mariadb:10.11, compatible with the official mysql/mariadb images for what
# tests use: MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD, MYSQL_DATABASE, MYSQL_USER,
# MYSQL_PASSWORD (each also as MARIADB_*), /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz run
# once on first start, and arguments starting with "-" are server options.
# Like the official images, the setup runs on a temporary server without networking, so port
# 3306 only listens once the database, user and grants exist: a "port is listening" wait (the
# MySqlContainer default) then really means ready.
set -eu

env_or() { # env_or NAME DEFAULT: $MARIADB_NAME, else $MYSQL_NAME, else DEFAULT
  eval "v=\${MARIADB_$1:-\${MYSQL_$1:-}}"
  # shellcheck disable=SC2154 # v is set by the eval above
  if [ -n "$v" ]; then printf '%s' "$v"; else printf '%s' "$2"; fi
}
ROOT_PASSWORD=$(env_or ROOT_PASSWORD "")
ALLOW_EMPTY=$(env_or ALLOW_EMPTY_PASSWORD "")
DATABASE=$(env_or DATABASE "")
USER_NAME=$(env_or USER "")
USER_PASSWORD=$(env_or PASSWORD "")
DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

case "${1:-}" in -*) set -- mariadbd "$@" ;; "") set -- mariadbd ;; esac
if { [ "$1" != mariadbd ] && [ "$1" != mysqld ]; } || [ "$(id -u)" != 0 ]; then
  exec "$@"
fi
shift # the rest are server options

mkdir -p "$DATADIR" /run/mysqld
chown mysql:mysql "$DATADIR" /run/mysqld

# SQL string literal: double the single quotes and backslashes.
sql_quote() { printf "'%s'" "$(printf '%s' "$1" | sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/''/g")"; }

if [ ! -d "$DATADIR/mysql" ]; then
  if [ -z "$ROOT_PASSWORD" ] && [ -z "$ALLOW_EMPTY" ]; then
    echo "docker-entrypoint: set MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD=yes)" >&2
    exit 1
  fi
  echo "docker-entrypoint: initializing database files"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db --skip-name-resolve \
    --auth-root-authentication-method=normal >/dev/null

  # Temporary server: unix socket only.
  setpriv --reuid=mysql --regid=mysql --init-groups -- \
    mariadbd --datadir="$DATADIR" --skip-networking --socket="$SOCKET" "$@" &
  temp_pid=$!
  i=0
  until mariadb --protocol=socket --socket="$SOCKET" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 120 ] || ! kill -0 "$temp_pid" 2>/dev/null; then
      echo "docker-entrypoint: the temporary server did not start" >&2
      exit 1
    fi
    sleep 0.25
  done

  # root has no password until the ALTER USER below; from then on the client takes it from
  # MYSQL_PWD (never from the command line, where ps would show it).
  sql() { mariadb --protocol=socket --socket="$SOCKET" -uroot --batch "$@"; }
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    # Only root@localhost and root@'%' remain, both with the given password.
    echo "DELETE FROM mysql.global_priv WHERE User NOT IN ('root', 'mariadb.sys') OR Host NOT IN ('localhost');"
    echo "DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost');"
    echo "FLUSH PRIVILEGES;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_quote "$ROOT_PASSWORD");"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_quote "$ROOT_PASSWORD");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$DATABASE" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$DATABASE\`;"
    fi
    if [ -n "$USER_NAME" ] && [ "$USER_NAME" != root ]; then
      echo "CREATE USER $(sql_quote "$USER_NAME")@'%' IDENTIFIED BY $(sql_quote "$USER_PASSWORD");"
      if [ -n "$DATABASE" ]; then
        echo "GRANT ALL ON \`$DATABASE\`.* TO $(sql_quote "$USER_NAME")@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | sql
  export MYSQL_PWD="$ROOT_PASSWORD"

  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    # shellcheck disable=SC1090 # init scripts are the caller's
    case "$f" in
      *.sh) echo "docker-entrypoint: running $f"; . "$f" ;;
      *.sql) echo "docker-entrypoint: running $f"; sql ${DATABASE:+"$DATABASE"} <"$f" ;;
      *.sql.gz) echo "docker-entrypoint: running $f"; gzip -dc "$f" | sql ${DATABASE:+"$DATABASE"} ;;
      *) echo "docker-entrypoint: ignoring $f" ;;
    esac
  done

  unset MYSQL_PWD
  kill "$temp_pid" # SIGTERM: clean shutdown
  wait "$temp_pid" || true
  echo "docker-entrypoint: MariaDB init process done; ready for start up."
fi

exec setpriv --reuid=mysql --regid=mysql --init-groups -- mariadbd --datadir="$DATADIR" "$@"

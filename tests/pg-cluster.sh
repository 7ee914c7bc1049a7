# Sourced by ./test.sh and the benchmark scripts: starts a throwaway PostgreSQL cluster on 127.0.0.1 on a
# free port, exports CROWDLABEL_TEST_POSTGRES, and stops and deletes it when the calling shell exits.
# Installs PostgreSQL from Debian's packages when it is missing and the caller is root.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

pg_cluster_start() {
  if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "PostgreSQL is missing: install it (sudo apt-get install postgresql) or run as root" >&2
      return 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi

  PGBIN="$(pg_bin)"
  PG_WORKDIR="$(mktemp -d /tmp/crowdlabel-pg.XXXXXX)"
  PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    chown postgres:postgres "$PG_WORKDIR"
    PG_AS=(runuser -u postgres --)
  fi

  local port=""
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  done

  trap pg_cluster_stop EXIT
  "${PG_AS[@]}" "$PGBIN/initdb" -D "$PG_WORKDIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  "${PG_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_WORKDIR/data" -l "$PG_WORKDIR/postgres.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_WORKDIR -c max_connections=400 ${PG_EXTRA_OPTIONS:-}" >/dev/null
  export PG_PORT="$port"
  export CROWDLABEL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL ($PGBIN) on 127.0.0.1:$port" >&2
}

pg_cluster_stop() {
  if [ -n "${PG_WORKDIR:-}" ]; then
    "${PG_AS[@]}" "$PGBIN/pg_ctl" -D "$PG_WORKDIR/data" stop -m immediate >/dev/null 2>&1 || true
    rm -rf "$PG_WORKDIR"
    PG_WORKDIR=""
  fi
}

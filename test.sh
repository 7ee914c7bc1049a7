#!/usr/bin/env bash
# Runs every test: installs what is missing (PostgreSQL, Chromium), starts a throwaway PostgreSQL cluster on
# 127.0.0.1, runs `dotnet test CrowdLabel.sln` against it, and stops the cluster even when tests fail.
# Extra arguments go to dotnet test (for example: ./test.sh --filter FullyQualifiedName~Tenant).
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '[test.sh] %s\n' "$*" >&2; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    log "installing ${missing[*]} from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing ${missing[*]}: install them (sudo apt-get install ${missing[*]}) or run as root"
    exit 1
  fi
fi

PGBIN="$(pg_bin)"
workdir="$(mktemp -d /tmp/crowdlabel-pg.XXXXXX)"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
  chown postgres:postgres "$workdir"
  as_pg=(runuser -u postgres --)
fi

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  log "no free port found"; exit 1
}
port="$(free_port)"

stop_cluster() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$workdir/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop_cluster EXIT

log "starting PostgreSQL ($PGBIN) on 127.0.0.1:$port"
"${as_pg[@]}" "$PGBIN/initdb" -D "$workdir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$workdir/data" -l "$workdir/postgres.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null

export CROWDLABEL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
export CROWDLABEL_CHROMIUM="$(command -v chromium)"

dotnet build CrowdLabel.sln -c Release -nologo -clp:ErrorsOnly
set +e
dotnet test CrowdLabel.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$workdir/test-output.txt"
status=${PIPESTATUS[0]}
set -e

# One closing line over every test assembly, for tools that read it.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$workdir/test-output.txt"
exit "$status"

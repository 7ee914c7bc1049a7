#!/usr/bin/env bash
# Runs every test: installs what is missing (PostgreSQL, Chromium), starts a throwaway PostgreSQL cluster on
# 127.0.0.1, runs `dotnet test CrowdLabel.sln` against it, and stops the cluster even when tests fail.
# Extra arguments go to dotnet test (for example: ./test.sh --filter FullyQualifiedName~Tenant).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is missing: install it (sudo apt-get install chromium) or run as root" >&2
    exit 1
  fi
  echo "[test.sh] installing chromium from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
export CROWDLABEL_CHROMIUM="$(command -v chromium)"

# Tests create and drop a database each; durability is not needed, speed is.
PG_EXTRA_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
source tests/pg-cluster.sh
pg_cluster_start

dotnet build CrowdLabel.sln -c Release -nologo -clp:ErrorsOnly
output="$(mktemp /tmp/crowdlabel-test-output.XXXXXX)"
set +e
dotnet test CrowdLabel.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$output"
status=${PIPESTATUS[0]}
set -e

# One closing line over every test assembly, for tools that read it.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$output"
rm -f "$output"
exit "$status"

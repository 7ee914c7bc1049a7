#!/usr/bin/env bash
# Runs a benchmark with a throwaway PostgreSQL cluster on 127.0.0.1 (stopped afterwards), in Release:
#   tests/CrowdLabel.Benchmarks/run.sh import
#   tests/CrowdLabel.Benchmarks/run.sh consensus
#   tests/CrowdLabel.Benchmarks/run.sh work        (also builds the site in Release: the benchmark starts it)
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/pg-cluster.sh
pg_cluster_start
dotnet build tests/CrowdLabel.Benchmarks -c Release -nologo -clp:ErrorsOnly >&2
if [ "${1:-}" = work ]; then dotnet build web/CrowdLabel.Web -c Release -nologo -clp:ErrorsOnly >&2; fi
dotnet tests/CrowdLabel.Benchmarks/bin/Release/net10.0/CrowdLabel.Benchmarks.dll "$@"

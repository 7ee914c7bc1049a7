#!/usr/bin/env bash
# Adds one migration, generated from the same model, to every provider: ./db/migrations/add-migration.sh AddPayouts
set -euo pipefail
name="${1:?usage: $0 MigrationName}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
dotnet tool restore >/dev/null
for provider in Sqlite Postgres SqlServer; do
  dotnet ef migrations add "$name" \
    --project "db/migrations/$provider" --startup-project "db/migrations/$provider" \
    --context CrowdLabelDbContext --output-dir Migrations
done

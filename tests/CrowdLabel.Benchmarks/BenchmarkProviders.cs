using CrowdLabel.Data;
using CrowdLabel.Testing;

namespace CrowdLabel.Benchmarks;

/// <summary>The databases a benchmark runs on: SQLite always, PostgreSQL when run.sh started one.</summary>
internal static class BenchmarkProviders
{
    public static DatabaseProvider[] Available => TestDatabase.PostgresServer is null
        ? [DatabaseProvider.Sqlite]
        : [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];
}

using System.Reflection;
using CrowdLabel.Data;
using Xunit.Sdk;

namespace CrowdLabel.Testing;

/// <summary>Runs a database theory on SQLite.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OnSqliteAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[DatabaseProvider.Sqlite]];
}

/// <summary>
/// Runs a database theory on PostgreSQL. Without a server (CROWDLABEL_TEST_POSTGRES unset) the case shows as
/// skipped, never silently run elsewhere; under CI it is not skipped, so a missing server fails loudly.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OnPostgresAttribute : DataAttribute
{
    public OnPostgresAttribute()
    {
        if (TestDatabase.PostgresServer is null && Environment.GetEnvironmentVariable("CI") is null)
        {
            Skip = $"PostgreSQL is not available: set {TestDatabase.PostgresEnvironmentVariable} or run ./test.sh.";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[DatabaseProvider.Postgres]];
}

using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CrowdLabel.Core;

/// <summary>Which provider a context runs on, for the few statements written for one provider (Core references none of them).</summary>
internal static class DatabaseProviders
{
    private const string Postgres = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private const string Sqlite = "Microsoft.EntityFrameworkCore.Sqlite";

    public static bool IsPostgres(this DatabaseFacade database) => string.Equals(database.ProviderName, Postgres, StringComparison.Ordinal);

    public static bool IsSqlite(this DatabaseFacade database) => string.Equals(database.ProviderName, Sqlite, StringComparison.Ordinal);
}

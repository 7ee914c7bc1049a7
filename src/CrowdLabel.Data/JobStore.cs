using System.Text.RegularExpressions;
using Microsoft.Data.SqlClient;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

namespace CrowdLabel.Data;

/// <summary>
/// Where the schedule lives. On SQLite (one node) Quartz keeps it in memory. On PostgreSQL and SQL Server it is
/// Quartz's clustered ADO.NET store in the application's own database, so several web nodes share one schedule:
/// each firing of a job runs on one node, and a node that stops checking in has its work taken over by the others.
/// The tables come with the migrations (<see cref="QuartzSchema"/>); a node refuses to start without them.
/// </summary>
public static class JobStore
{
    /// <summary>Configures the scheduler's store for the configured database.</summary>
    public static void UseCrowdLabelJobStore(this IQuartzBuilder quartz, DatabaseOptions options)
    {
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                quartz.UseInMemoryStore();
                break;
            case DatabaseProvider.Postgres:
                // The same pool as EF Core and the claim's statements (DataServices), so a node's connections stay
                // within one Maximum Pool Size.
                quartz.UsePersistentStore(store =>
                {
                    store.UsePostgres(source => source.DataSourceFactory = services => services.GetRequiredService<NpgsqlDataSource>());
                    store.UseClustering();
                });
                break;
            case DatabaseProvider.SqlServer:
                quartz.UsePersistentStore(store =>
                {
                    store.UseSqlServer(SqlClientFactory.Instance, options.ConnectionString);
                    store.UseClustering();
                });
                break;
            default:
                throw new DatabaseConfigurationException($"Unknown provider {options.Provider}.");
        }
    }
}

/// <summary>
/// Quartz's tables, for the migrations of PostgreSQL and SQL Server. The statements are the creation script the
/// referenced Quartz release ships for its own provisioning (every one creates only what is missing), with Quartz's
/// default table prefix, so the schema is always the one the store in use validates at start.
/// </summary>
public static partial class QuartzSchema
{
    /// <summary>Quartz's default table prefix (unquoted, so PostgreSQL folds it to qrtz_).</summary>
    public const string TablePrefix = "QRTZ_";

    /// <summary>The statements creating every Quartz table and index, in order.</summary>
    public static IReadOnlyList<string> CreateStatements(DatabaseProvider provider) =>
        Separator().Split(Script(provider))
            .Select(piece => string.Join('\n', piece.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim())
            .Where(statement => statement.Length > 0)
            .Select(statement => statement.Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal))
            .ToList();

    /// <summary>The statements dropping those tables, dependents first.</summary>
    public static IReadOnlyList<string> DropStatements(DatabaseProvider provider) =>
        Tables(provider).Reverse().Select(table => $"DROP TABLE IF EXISTS {table};").ToList();

    /// <summary>The tables the script creates, in its order (each referenced table before the tables referencing it).</summary>
    public static IReadOnlyList<string> Tables(DatabaseProvider provider) =>
        CreateTable().Matches(string.Join('\n', CreateStatements(provider))).Select(m => m.Groups[1].Value).Distinct().ToList();

    private static string Script(DatabaseProvider provider)
    {
        var name = provider switch
        {
            DatabaseProvider.Postgres => "postgres",
            DatabaseProvider.SqlServer => "sqlServer",
            _ => throw new NotSupportedException($"On {provider} the schedule is kept in memory; Quartz has no tables there."),
        };
        var resource = $"Quartz.Impl.AdoJobStore.Schema.create_{name}.sql";
        using var stream = typeof(IScheduler).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The Quartz assembly no longer holds {resource}; see how this Quartz release provisions its schema.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }

    /// <summary>Quartz separates the script's statements by a line reading exactly --;;.</summary>
    [GeneratedRegex(@"^--;;$", RegexOptions.Multiline)]
    private static partial Regex Separator();

    [GeneratedRegex(@"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();
}

using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CrowdLabel.Data;

/// <summary>The database engines CrowdLabel runs on.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}

/// <summary>Which database to use and how, read from the "Database" section and ConnectionStrings:CrowdLabel.</summary>
public sealed record DatabaseOptions(DatabaseProvider Provider, string ConnectionString, bool MigrateOnStart)
{
    public const string ConnectionStringName = "CrowdLabel";

    /// <summary>SQLite only: copy a database holding an earlier release's data before migrating it (Database:BackupBeforeMigrate).</summary>
    public bool BackupBeforeMigrate { get; init; } = true;

    /// <summary>Reads and checks the configuration; with none at all, SQLite in a file under the data folder.</summary>
    /// <exception cref="DatabaseConfigurationException">
    /// The provider is unknown, or a required connection string is missing or not one its provider can read.
    /// </exception>
    public static DatabaseOptions FromConfiguration(IConfiguration configuration, string dataFolder)
    {
        var section = configuration.GetSection("Database");
        var providerName = section["Provider"];
        DatabaseProvider provider;
        if (string.IsNullOrWhiteSpace(providerName))
        {
            provider = DatabaseProvider.Sqlite;
        }
        else if (!Enum.TryParse(providerName.Trim(), ignoreCase: true, out provider) || !Enum.IsDefined(provider))
        {
            throw new DatabaseConfigurationException(
                $"Database:Provider is \"{providerName}\", which is not a provider CrowdLabel knows. Use Sqlite, Postgres or SqlServer.");
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider != DatabaseProvider.Sqlite)
            {
                throw new DatabaseConfigurationException(
                    $"ConnectionStrings:{ConnectionStringName} is missing; it is required when Database:Provider is {provider}. " +
                    $"Set it in appsettings.json or as the environment variable ConnectionStrings__{ConnectionStringName}.");
            }

            Directory.CreateDirectory(dataFolder);
            connectionString = $"Data Source={Path.Combine(dataFolder, "crowdlabel.db")}";
        }

        CheckConnectionString(provider, connectionString);

        var migrateSetting = section["MigrateOnStart"];
        bool migrateOnStart;
        if (string.IsNullOrWhiteSpace(migrateSetting))
        {
            migrateOnStart = provider == DatabaseProvider.Sqlite;
        }
        else if (!bool.TryParse(migrateSetting, out migrateOnStart))
        {
            throw new DatabaseConfigurationException($"Database:MigrateOnStart is \"{migrateSetting}\"; use true or false.");
        }

        var backupSetting = section["BackupBeforeMigrate"];
        var backupBeforeMigrate = true;
        if (!string.IsNullOrWhiteSpace(backupSetting) && !bool.TryParse(backupSetting, out backupBeforeMigrate))
        {
            throw new DatabaseConfigurationException($"Database:BackupBeforeMigrate is \"{backupSetting}\"; use true or false.");
        }

        return new DatabaseOptions(provider, connectionString, migrateOnStart) { BackupBeforeMigrate = backupBeforeMigrate };
    }

    /// <summary>
    /// Reads the connection string as its provider will, so a misspelt or unknown keyword stops the site at start
    /// instead of failing every request that opens a connection. The message names the keyword, never a value.
    /// </summary>
    private static void CheckConnectionString(DatabaseProvider provider, string connectionString)
    {
        try
        {
            DbConnectionStringBuilder _ = provider switch
            {
                DatabaseProvider.Sqlite => new SqliteConnectionStringBuilder(connectionString),
                DatabaseProvider.Postgres => new NpgsqlConnectionStringBuilder(connectionString),
                _ => new SqlConnectionStringBuilder(connectionString),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DatabaseConfigurationException(
                $"ConnectionStrings:{ConnectionStringName} is not a connection string {provider} accepts: {e.Message} " +
                "Check each Keyword=value pair (separated by semicolons) against the provider's documented keywords.");
        }
    }

    /// <summary>The assembly holding this provider's migrations, generated from the same model as the others.</summary>
    public string MigrationsAssembly => MigrationsAssemblyFor(Provider);

    public static string MigrationsAssemblyFor(DatabaseProvider provider) => $"CrowdLabel.Migrations.{provider}";
}

/// <summary>The database configuration is wrong; the message says what to fix.</summary>
public sealed class DatabaseConfigurationException(string message) : Exception(message);

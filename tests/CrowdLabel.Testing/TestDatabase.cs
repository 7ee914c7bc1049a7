using CrowdLabel.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CrowdLabel.Testing;

/// <summary>
/// A fresh, empty database of one provider, dropped on dispose: a temporary SQLite file, or a new database on
/// the PostgreSQL server named by <see cref="PostgresEnvironmentVariable"/> (test.sh starts one).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresEnvironmentVariable = "CROWDLABEL_TEST_POSTGRES";

    private readonly string? _sqlitePath;
    private readonly string? _postgresName;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? sqlitePath, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqlitePath = sqlitePath;
        _postgresName = postgresName;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public static string? PostgresServer => Environment.GetEnvironmentVariable(PostgresEnvironmentVariable);

    public DatabaseOptions Options => new(Provider, ConnectionString, MigrateOnStart: true);

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var id = Guid.NewGuid().ToString("N")[..16];
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var folder = Path.Combine(Path.GetTempPath(), "crowdlabel-tests");
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, $"{id}.db");
                return new TestDatabase(provider, $"Data Source={path};Default Timeout=30", path, null);
            case DatabaseProvider.Postgres:
                var server = PostgresServer ?? throw new InvalidOperationException(
                    $"{PostgresEnvironmentVariable} is not set: run the tests with ./test.sh, which starts a PostgreSQL server.");
                var name = $"cl_test_{id}";
                await using (var connection = new NpgsqlConnection(server))
                {
                    await connection.OpenAsync();
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                    await create.ExecuteNonQueryAsync();
                }

                var builder = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 200 };
                return new TestDatabase(provider, builder.ConnectionString, null, name);
            default:
                throw new NotSupportedException($"{provider} cannot run here; its migrations are checked without a server.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlitePath is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(_sqlitePath + suffix);
            }
        }

        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(PostgresServer);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

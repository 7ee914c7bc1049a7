using CrowdLabel.Core.Domain;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CrowdLabel.Data;

/// <summary>Brings the schema up to date and makes sure the platform roles exist.</summary>
public sealed partial class DatabaseMigrator(
    CrowdLabelDbContext db, RoleManager<AppRole> roles, DatabaseOptions options, TimeProvider clock, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (options.Provider == DatabaseProvider.Sqlite && options.BackupBeforeMigrate)
        {
            await BackUpBeforeMigratingAsync(cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers work while a writer commits; it is a property of the file, so set once here.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new AppRole(role) { Id = Guid.CreateVersion7() });
            }
        }
    }

    /// <summary>
    /// Copies an SQLite database that holds data of an earlier release to backups/ beside it, before this release's
    /// migrations change it: SQLite migrations that rebuild a table run partly outside a transaction, so a start that
    /// is stopped midway can leave the file half migrated, and the copy is what to go back to. A new database (nothing
    /// applied yet) or one already up to date is not copied. The copy is made with SQLite's online backup, so it is
    /// consistent even if another process has the file open.
    /// </summary>
    private async Task BackUpBeforeMigratingAsync(CancellationToken cancellationToken)
    {
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var pending = db.Database.GetMigrations().Where(m => !applied.Contains(m)).ToList();
        if (pending.Count == 0 || applied.Count == 0)
        {
            return;
        }

        var source = (SqliteConnection)db.Database.GetDbConnection();
        var file = source.DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:" || new SqliteConnectionStringBuilder(source.ConnectionString).Mode == SqliteOpenMode.Memory)
        {
            return;
        }

        var folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, "backups");
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(file)}-{clock.GetUtcNow():yyyyMMdd-HHmmss}-before-{pending[^1]}.db");
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
            await destination.OpenAsync(cancellationToken);
            source.BackupDatabase(destination);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        LogBackedUp(logger, pending.Count, target);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Applying {Count} migration(s) to the SQLite database; its data was copied first to {Backup}. If the start is stopped midway, go back to that copy.")]
    private static partial void LogBackedUp(ILogger logger, int count, string backup);
}

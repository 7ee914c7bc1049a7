using System.Data.Common;
using CrowdLabel.Data;
using CrowdLabel.Data.Seeding;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>What runs before the site takes requests: migrations (when configured) and the demo seed.</summary>
public static class StartupTasks
{
    /// <summary>The explicit "migrate" command, for PostgreSQL and SQL Server deployments.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<DatabaseOptions>();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        app.Logger.LogInformation("Migrated the {Provider} database.", options.Provider);
    }

    /// <summary>
    /// Stops the start, with what to do, when the database cannot be reached or lacks this release's migrations:
    /// otherwise the scheduler would refuse to start on the missing tables with its own message, or pages would fail.
    /// </summary>
    private static async Task RequireMigratedDatabaseAsync(this WebApplication app, DatabaseOptions options)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        List<string> pending;
        try
        {
            pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        }
        catch (DbException e)
        {
            throw new DatabaseConfigurationException(
                $"The {options.Provider} database could not be reached: {e.Message} Check ConnectionStrings:{DatabaseOptions.ConnectionStringName} and that the server is running.");
        }

        if (pending.Count > 0)
        {
            throw new DatabaseConfigurationException(
                $"The {options.Provider} database lacks {pending.Count} migration(s) of this release, from {pending[0]}. " +
                "Run `dotnet CrowdLabel.Web.dll migrate` once, then start the site (or set Database:MigrateOnStart=true on one node).");
        }
    }

    /// <summary>Migrates when configured (always for the embedded SQLite default), then seeds the demo when asked.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<DatabaseOptions>();
        if (options.MigrateOnStart)
        {
            await app.MigrateDatabaseAsync();
        }
        else
        {
            await app.RequireMigratedDatabaseAsync(options);
        }

        // The demo seed runs in Development unless turned off, and anywhere it is turned on.
        if (!app.Configuration.GetValue("Database:SeedDemo", app.Environment.IsDevelopment()))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var seeded = await scope.ServiceProvider.GetRequiredService<DemoSeed>().SeedAsync();
        var accounts = string.Join(Environment.NewLine, DemoSeed.Accounts.Select(a => $"  {a.Role,-32} {a.Email,-26} {a.Password}"));
        var workerTokens = string.Join(Environment.NewLine, DemoSeed.WorkerTokens.Select(t => $"  Worker API token of {t.Key,-19} {t.Value}"));
        app.Logger.LogInformation(
            "{State} demo tenant \"{Slug}\". Sign in with:{NewLine}{Accounts}{NewLine}  Tenant API key: {ApiKey}{NewLine}{WorkerTokens}",
            seeded ? "Seeded the" : "Using the existing", DemoSeed.TenantSlug, Environment.NewLine, accounts, Environment.NewLine, DemoSeed.ApiKey,
            Environment.NewLine, workerTokens);
    }
}

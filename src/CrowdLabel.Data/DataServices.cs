using System.Data.Common;
using CrowdLabel.Core;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Work;
using CrowdLabel.Data.Import;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CrowdLabel.Data;

/// <summary>Registers the database: provider from configuration, the context, and Data Protection keys kept in it.</summary>
public static class DataServices
{
    public static IServiceCollection AddCrowdLabelData(this IServiceCollection services, IConfiguration configuration, string dataFolder) =>
        services.AddCrowdLabelData(DatabaseOptions.FromConfiguration(configuration, dataFolder));

    /// <remarks>
    /// The context is made per scope (request), its options once: they depend on nothing of a scope, and building them
    /// anew for every context (EF's default) was about a tenth of the site's CPU in the work benchmark, for requests
    /// most of which never query through the context (a profile of it: docs/benchmarks.md, runs 38 and 39).
    /// </remarks>
    public static IServiceCollection AddCrowdLabelData(this IServiceCollection services, DatabaseOptions options)
    {
        services.AddSingleton(options);
        if (options.Provider == DatabaseProvider.Postgres)
        {
            // One pool for EF and for the claim's and answer's single statements (PostgresFastPath), which skip EF.
            services.AddSingleton(_ => NpgsqlDataSource.Create(WithPreparedStatements(options.ConnectionString)));
            services.AddSingleton(sp => new AnswerCounter(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<AnswerCounter>>()));
            services.AddSingleton(sp => new PostgresFastPath(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<AnswerCounter>()));
            services.AddDbContext<CrowdLabelDbContext>((sp, builder) => builder.UseNpgsql(
                sp.GetRequiredService<NpgsqlDataSource>(), o => o.MigrationsAssembly(options.MigrationsAssembly)),
                optionsLifetime: ServiceLifetime.Singleton);
        }
        else
        {
            services.AddDbContext<CrowdLabelDbContext>(builder => Configure(builder, options), optionsLifetime: ServiceLifetime.Singleton);
        }

        services.AddScoped<ICrowdLabelDb>(sp => sp.GetRequiredService<CrowdLabelDbContext>());
        services.AddScoped<DatabaseMigrator>();
        services.AddSingleton<IItemBulkWriterFactory, ItemBulkWriterFactory>();
        services.AddDataProtection().SetApplicationName("CrowdLabel").PersistKeysToDbContext<CrowdLabelDbContext>();
        return services;
    }

    /// <summary>Points a context at the configured provider and that provider's migrations assembly.</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder builder, DatabaseOptions options) => options.Provider switch
    {
        // EF Core warns on every migration that rebuilds an SQLite table (part of it runs outside a transaction); the
        // migrator copies a database with data before migrating it and says so (DatabaseMigrator), and a new one has
        // nothing to lose, so that warning is only a debug message here.
        DatabaseProvider.Sqlite => builder.UseSqlite(options.ConnectionString, o => o.MigrationsAssembly(options.MigrationsAssembly))
            .ConfigureWarnings(w => w.Log((RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Debug))),
        DatabaseProvider.Postgres => builder.UseNpgsql(WithPreparedStatements(options.ConnectionString), o => o.MigrationsAssembly(options.MigrationsAssembly)),
        DatabaseProvider.SqlServer => builder.UseSqlServer(options.ConnectionString, o => o.MigrationsAssembly(options.MigrationsAssembly)),
        _ => throw new DatabaseConfigurationException($"Unknown provider {options.Provider}."),
    };

    /// <summary>
    /// The most connections a node opens unless its connection string sets Maximum Pool Size. Requests beyond it wait
    /// their turn for a connection, first come first served, instead of each running in a backend of its own that
    /// shares the cores with all the others. With the answer's count off the request path (AnswerCounter), 16 gave a
    /// lower p99 than Npgsql's 100 in every alternated pair on the two-core benchmark machine, and less PostgreSQL CPU
    /// a cycle (docs/benchmarks.md, runs 91 to 111). A larger database server takes a larger figure: a few connections
    /// per core it has.
    /// </summary>
    internal const int DefaultMaxPoolSize = 16;

    /// <summary>
    /// Npgsql prepares the statements a connection runs often (Max Auto Prepare), and PostgreSQL keeps one generic plan
    /// per prepared statement (plan_cache_mode), so the claim and answer statements are parsed and planned once per
    /// connection instead of every time: left to itself, PostgreSQL re-plans the claim on every execution, which cost a
    /// third of its CPU in the worker benchmark. A connection string that sets either itself (e.g. Max Auto Prepare=0
    /// behind PgBouncer in transaction mode, or its own Options) is left as it is. A pooled connection is not reset when
    /// it goes back to the pool (No Reset On Close): CrowdLabel sets no session state, and the reset (RESET ALL, DISCARD
    /// and four more statements, sent with the next command) came twice per worker cycle. The pool holds at most
    /// <see cref="DefaultMaxPoolSize"/> connections unless the string says otherwise.
    /// </summary>
    internal static string WithPreparedStatements(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToList();
        if (!given.Contains("MaxAutoPrepare", StringComparer.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!given.Contains("NoResetOnClose", StringComparer.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        if (!given.Contains("MaximumPoolSize", StringComparer.OrdinalIgnoreCase) && !given.Contains("MaxPoolSize", StringComparer.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!given.Contains("Options", StringComparer.OrdinalIgnoreCase))
        {
            builder.Options = "-c plan_cache_mode=force_generic_plan";
        }

        return builder.ConnectionString;
    }
}

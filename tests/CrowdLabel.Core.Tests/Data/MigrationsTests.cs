using CrowdLabel.Core.Tenancy;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Data;

public sealed class MigrationsTests
{
    public static TheoryData<DatabaseProvider> AllProviders => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres, DatabaseProvider.SqlServer];

    // No server is contacted: the comparison is between the migrations assembly's snapshot and the model.
    [Theory]
    [MemberData(nameof(AllProviders))]
    public void Migrations_AreInStepWithTheModel(DatabaseProvider provider)
    {
        using var db = ContextFor(provider);

        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} migrations lag behind the model: run ./db/migrations/add-migration.sh <Name>.");
    }

    [Theory]
    [MemberData(nameof(AllProviders))]
    public void Migrations_OfEveryProvider_AreTheSameList(DatabaseProvider provider)
    {
        using var reference = ContextFor(DatabaseProvider.Sqlite);
        using var db = ContextFor(provider);

        Assert.Equal(Names(reference), Names(db));
    }

    [Theory, OnPostgres]
    public async Task Postgres_VacuumsTheItemsAfterOnePercentChanges(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);

        var options = (await Scenario.ScalarAsync<string>(services, """SELECT array_to_string(reloptions, ';') FROM pg_class WHERE relname = 'Items'""")).Split(';');

        Assert.Contains("autovacuum_vacuum_scale_factor=0.01", options);
        Assert.Contains("autovacuum_vacuum_threshold=1000", options);
    }

    /// <summary>
    /// The claim function that ClaimFunction created is gone once every migration has run; migrating down to
    /// ClaimFunction creates it again, and up drops it.
    /// </summary>
    [Theory, OnPostgres]
    public async Task Postgres_ClaimFunction_IsDroppedByTheLaterMigration_AndRecreatedOnTheWayDown(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        const string Functions = "SELECT count(*) FROM pg_proc WHERE proname = 'claim_task_v1'";
        async Task MigrateAsync(string target)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().GetService<IMigrator>().MigrateAsync(target);
        }

        var afterAll = await Scenario.ScalarAsync<long>(services, Functions);
        await MigrateAsync("ClaimFunction");
        var down = await Scenario.ScalarAsync<long>(services, Functions);
        await MigrateAsync("DropClaimFunction");
        var upAgain = await Scenario.ScalarAsync<long>(services, Functions);

        Assert.Equal((0L, 1L, 0L), (afterAll, down, upAgain));
    }

    /// <summary>
    /// An SQLite database holding an earlier release's data is copied before this release's migrations run; one that
    /// is new or already up to date is not. The copy is the database as it was, data included.
    /// </summary>
    [Fact]
    public async Task Sqlite_WithAnEarlierReleasesData_IsCopiedBeforeMigrating_NewAndUpToDateOnesAreNot()
    {
        await using var earlier = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var fresh = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var file = new SqliteConnectionStringBuilder(earlier.ConnectionString).DataSource;
        var backups = Path.Combine(Path.GetDirectoryName(file)!, "backups");
        string[] CopiesOf(TestDatabase database) => Directory.Exists(backups)
            ? Directory.GetFiles(backups, Path.GetFileNameWithoutExtension(new SqliteConnectionStringBuilder(database.ConnectionString).DataSource) + "-*")
            : [];
        List<string> migrations;
        await using (var db = ContextFor(earlier.Options))
        {
            migrations = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(migrations[^2]);
            await db.Database.ExecuteSqlRawAsync("CREATE TABLE \"Marker\" (\"Note\" TEXT); INSERT INTO \"Marker\" VALUES ('earlier release');");
        }

        SqliteConnection.ClearAllPools();
        try
        {
            await (await AppServices.CreateAsync(earlier)).DisposeAsync();
            await (await AppServices.CreateAsync(earlier)).DisposeAsync();
            await (await AppServices.CreateAsync(fresh)).DisposeAsync();

            var copy = Assert.Single(CopiesOf(earlier));
            Assert.EndsWith($"-before-{migrations[^1]}.db", copy, StringComparison.Ordinal);
            Assert.Empty(CopiesOf(fresh));
            await using (var db = ContextFor(new DatabaseOptions(DatabaseProvider.Sqlite, $"Data Source={copy};Pooling=False", MigrateOnStart: false)))
            {
                Assert.Equal(migrations[..^1], await db.Database.GetAppliedMigrationsAsync());
                Assert.Equal("earlier release", (await db.Database.SqlQueryRaw<string>("SELECT \"Note\" AS \"Value\" FROM \"Marker\"").ToListAsync()).Single());
            }

            await using (var db = ContextFor(earlier.Options))
            {
                Assert.Equal(migrations, await db.Database.GetAppliedMigrationsAsync());
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var copy in CopiesOf(earlier).Concat(CopiesOf(fresh)))
            {
                File.Delete(copy);
            }
        }
    }

    private static List<string> Names(CrowdLabelDbContext db) =>
        db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]).ToList();

    private static CrowdLabelDbContext ContextFor(DatabaseProvider provider) => ContextFor(new DatabaseOptions(provider, provider switch
    {
        DatabaseProvider.Sqlite => "Data Source=:memory:",
        DatabaseProvider.Postgres => "Host=127.0.0.1;Database=unused",
        _ => "Server=127.0.0.1;Database=unused;TrustServerCertificate=True",
    }, MigrateOnStart: false));

    private static CrowdLabelDbContext ContextFor(DatabaseOptions options)
    {
        var builder = new DbContextOptionsBuilder<CrowdLabelDbContext>();
        DataServices.Configure(builder, options);
        return new CrowdLabelDbContext(builder.Options, new TenantContext());
    }
}

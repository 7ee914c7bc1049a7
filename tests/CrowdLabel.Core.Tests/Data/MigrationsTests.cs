using CrowdLabel.Core.Tenancy;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;

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

    private static List<string> Names(CrowdLabelDbContext db) =>
        db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]).ToList();

    private static CrowdLabelDbContext ContextFor(DatabaseProvider provider)
    {
        var connectionString = provider switch
        {
            DatabaseProvider.Sqlite => "Data Source=:memory:",
            DatabaseProvider.Postgres => "Host=127.0.0.1;Database=unused",
            _ => "Server=127.0.0.1;Database=unused;TrustServerCertificate=True",
        };
        var builder = new DbContextOptionsBuilder<CrowdLabelDbContext>();
        DataServices.Configure(builder, new DatabaseOptions(provider, connectionString, MigrateOnStart: false));
        return new CrowdLabelDbContext(builder.Options, new TenantContext());
    }
}

using CrowdLabel.Core.Batches;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CrowdLabel.Core.Tests.Ledger;

/// <summary>
/// Base of the ledger's database tests. A test starts its database with <see cref="StartAsync"/>; when the test ends,
/// passed or failed, the ledger's invariant check runs before the database is dropped. xunit runs this clean-up
/// outside the test body, so a broken ledger is reported beside the test's own failure, never instead of it.
/// </summary>
public abstract class LedgerTestBase : IAsyncLifetime
{
    private LedgerDatabase? _world;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    private protected async Task<LedgerDatabase> StartAsync(DatabaseProvider provider)
    {
        Assert.Null(_world);
        _world = await LedgerDatabase.StartAsync(provider);
        return _world;
    }
}

/// <summary>A fresh database with the application's services for one ledger test; disposing it checks the ledger's invariants first.</summary>
internal sealed class LedgerDatabase : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private LedgerDatabase(TestDatabase database, ServiceProvider services, FakeTimeProvider clock)
    {
        _database = database;
        Services = services;
        Clock = clock;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Clock { get; }

    public static async Task<LedgerDatabase> StartAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        return new LedgerDatabase(database, await AppServices.CreateAsync(database, clock), clock);
    }

    /// <summary>A tenant ("tenant-a") with a balance and a draft batch of its project, priced as given.</summary>
    public async Task<(TenantFixture Tenant, Guid BatchId)> FundedDraftAsync(
        long balanceMinor, int items, long priceMinor = 100, int maxRedundancy = 3, string? name = null)
    {
        var tenant = await Scenario.CreateTenantAsync(Services, "tenant-a");
        var batchId = await LedgerScenario.CreateDraftBatchAsync(Services, tenant, items, priceMinor, maxRedundancy, name);
        await LedgerScenario.CreditAsync(Services, tenant.TenantId, balanceMinor);
        return (tenant, batchId);
    }

    /// <summary>Publishes a batch that must publish.</summary>
    public async Task PublishAsync(TenantFixture tenant, Guid batchId)
    {
        var published = await LifecycleAsync(tenant, s => s.PublishAsync(batchId, tenant.OwnerId));
        Assert.True(published.Succeeded, string.Join("; ", published.Errors.SelectMany(e => e.Value)));
    }

    /// <summary>Runs one lifecycle call in a request-like scope of the tenant.</summary>
    public async Task<Result<Core.Domain.Batch>> LifecycleAsync(
        TenantFixture tenant, Func<BatchLifecycleService, Task<Result<Core.Domain.Batch>>> call)
    {
        await using var scope = Scenario.TenantScope(Services, tenant.TenantId);
        return await call(scope.ServiceProvider.GetRequiredService<BatchLifecycleService>());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await LedgerScenario.AssertInvariantsAsync(Services);
        }
        finally
        {
            await Services.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}

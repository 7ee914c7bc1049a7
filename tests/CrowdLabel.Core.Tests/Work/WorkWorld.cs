using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CrowdLabel.Core.Tests.Work;

/// <summary>A fresh database with a tenant ("acme"), one published batch of its project and a few workers, on a clock the test moves.</summary>
internal sealed class WorkWorld : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    private readonly TestDatabase _database;

    private WorkWorld(TestDatabase database, ServiceProvider services, FakeTimeProvider clock)
    {
        _database = database;
        Services = services;
        Clock = clock;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Clock { get; }

    public TenantFixture Tenant { get; private set; } = null!;

    public Guid BatchId { get; private set; }

    public IReadOnlyList<Guid> Workers { get; private set; } = [];

    public static async Task<WorkWorld> StartAsync(
        DatabaseProvider provider, int items = 4, int redundancy = 3, int goldItems = 0, int workers = 2, Action<Project>? configure = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Start);
        var world = new WorkWorld(database, await AppServices.CreateAsync(database, clock, WorkScenario.CheapPasswordHashes), clock);
        world.Tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        world.BatchId = await WorkScenario.CreatePublishedBatchAsync(world.Services, world.Tenant, items, redundancy, goldItems, configure);
        world.Workers = await WorkScenario.CreateWorkersAsync(world.Services, workers);
        return world;
    }

    public Task<Result<ClaimOutcome>> ClaimAsync(Guid workerId, Guid? batchId = null) =>
        WorkScenario.ClaimAsync(Services, batchId ?? BatchId, workerId);

    public Task<WorkTask> ClaimTaskAsync(Guid workerId) => WorkScenario.ClaimTaskAsync(Services, BatchId, workerId);

    public Task<Result<AssignmentReceipt>> AnswerAsync(Guid assignmentId, Guid workerId, string label) =>
        WorkScenario.AnswerAsync(Services, assignmentId, workerId, label);

    /// <summary>A lifecycle step of one of the tenant's batches, as its owner takes it; it must succeed.</summary>
    public async Task LifecycleAsync(Func<BatchLifecycleService, Task<Result<Batch>>> call)
    {
        await using var scope = Scenario.TenantScope(Services, Tenant.TenantId);
        var result = await call(scope.ServiceProvider.GetRequiredService<BatchLifecycleService>());
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
    }

    public Task<(List<Item> Items, List<Assignment> Assignments)> SnapshotAsync() =>
        WorkScenario.SnapshotAsync(Services, Tenant.TenantId, BatchId);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await _database.DisposeAsync();
    }
}

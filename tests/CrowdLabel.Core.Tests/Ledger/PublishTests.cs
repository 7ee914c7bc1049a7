using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Ledger;

public sealed class PublishTests : LedgerTestBase
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Publish_MovesTheWorstCaseIntoEscrow_AndSnapshotsPriceFeeAndRedundancy(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var (a, batchId) = await world.FundedDraftAsync(5000, items: 10, priceMinor: 100, maxRedundancy: 3);

        var published = await world.LifecycleAsync(a, s => s.PublishAsync(batchId, a.OwnerId));

        Assert.True(published.Succeeded, string.Join("; ", published.Errors.SelectMany(e => e.Value)));
        await using var scope = Scenario.TenantScope(world.Services, a.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var batch = await db.Batches.SingleAsync(b => b.Id == batchId);
        Assert.Equal((BatchStatus.Published, 100L, 20L, "USD", 3, 10), (batch.Status, batch.PricePerAssignmentMinor, batch.FeePerAssignmentMinor, batch.Currency, batch.MaxRedundancy, batch.ItemCount));
        Assert.Equal(world.Clock.GetUtcNow().UtcDateTime, batch.PublishedAt);
        Assert.True((await db.Projects.SingleAsync(p => p.Id == a.ProjectId)).HasPublishedBatch);
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        Assert.Equal(new Money(1400, "USD"), await ledger.GetTenantBalanceAsync(a.TenantId));
        Assert.Equal(new BatchCost(new Money(3600, "USD"), new Money(0, "USD"), new Money(3600, "USD")), await ledger.GetBatchCostAsync(batchId));
        Assert.Equal($"publish:{batchId}", (await db.LedgerTransactions.SingleAsync(t => t.Kind == LedgerKinds.Publish)).IdempotencyKey);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Publish_WhenTheBalanceIsShort_IsRefusedNamingBothAmounts_AndWritesNothing(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var (a, batchId) = await world.FundedDraftAsync(1200, items: 10, priceMinor: 100, maxRedundancy: 3);

        var refused = await world.LifecycleAsync(a, s => s.PublishAsync(batchId, a.OwnerId));

        Assert.False(refused.Succeeded);
        Assert.Equal(["The balance is 12.00 USD; publishing this batch needs 36.00 USD. Add funds first."], refused.Errors[""]);
        await using var scope = Scenario.TenantScope(world.Services, a.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var batch = await db.Batches.SingleAsync(b => b.Id == batchId);
        Assert.Equal((BatchStatus.Draft, 0L, null), (batch.Status, batch.FeePerAssignmentMinor, batch.PublishedAt));
        Assert.False((await db.Projects.SingleAsync(p => p.Id == a.ProjectId)).HasPublishedBatch);
        Assert.Equal([LedgerKinds.ManualCredit], await db.LedgerTransactions.Select(t => t.Kind).ToListAsync());
        Assert.Equal(new Money(1200, "USD"), await LedgerScenario.BalanceAsync(world.Services, a.TenantId));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ConcurrentPublish_OfTwoBatchesBeyondTheBalance_LetsExactlyOneThrough(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var a = await Scenario.CreateTenantAsync(world.Services, "tenant-a");

        // Each round: the balance covers one 60.00 batch (5 x 4 x (2.50 + 0.50)) but not two, and both are published at the same moment.
        for (var round = 0; round < 3; round++)
        {
            var topUp = 8000 - (await LedgerScenario.BalanceAsync(world.Services, a.TenantId)).Minor;
            await LedgerScenario.CreditAsync(world.Services, a.TenantId, topUp);
            var first = await LedgerScenario.CreateDraftBatchAsync(world.Services, a, items: 5, priceMinor: 250, maxRedundancy: 4, name: $"Round {round} first");
            var second = await LedgerScenario.CreateDraftBatchAsync(world.Services, a, items: 5, priceMinor: 250, maxRedundancy: 4, name: $"Round {round} second");
            // Holding the tenant's ledger lock here makes both publishes wait at their own lock with the balance unread;
            // releasing it lets them go at once. Without the lock in the service, both would read 80.00 and both pass.
            var outcomes = await WhileHoldingTheLedgerLockAsync(world, a.TenantId, () => new[] { first, second }.Select(batchId => Task.Run(async () =>
            {
                await using var scope = Scenario.TenantScope(world.Services, a.TenantId);
                var lifecycle = scope.ServiceProvider.GetRequiredService<BatchLifecycleService>();
                return (BatchId: batchId, Result: await lifecycle.PublishAsync(batchId, a.OwnerId));
            })).ToList());

            var winner = Assert.Single(outcomes, o => o.Result.Succeeded);
            var loser = Assert.Single(outcomes, o => !o.Result.Succeeded);
            Assert.Equal(["The balance is 20.00 USD; publishing this batch needs 60.00 USD. Add funds first."], loser.Result.Errors[""]);
            await using var check = Scenario.TenantScope(world.Services, a.TenantId);
            var ledger = check.ServiceProvider.GetRequiredService<LedgerService>();
            Assert.Equal(new Money(2000, "USD"), await ledger.GetTenantBalanceAsync(a.TenantId));
            Assert.Equal(new Money(6000, "USD"), (await ledger.GetBatchCostAsync(winner.BatchId)).Remaining);
            Assert.Equal(new Money(0, "USD"), (await ledger.GetBatchCostAsync(loser.BatchId)).Remaining);
            var db = check.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            Assert.Equal(BatchStatus.Draft, await db.Batches.Where(b => b.Id == loser.BatchId).Select(b => b.Status).SingleAsync());
            await LedgerScenario.AssertInvariantsAsync(world.Services);
        }
    }

    [Fact]
    public async Task Publish_OfABatchWithoutItems_IsRefused()
    {
        var world = await StartAsync(DatabaseProvider.Sqlite);
        var (a, batchId) = await world.FundedDraftAsync(5000, items: 0);

        var refused = await world.LifecycleAsync(a, s => s.PublishAsync(batchId, a.OwnerId));

        Assert.Equal(["This batch has no items; upload items before publishing it."], refused.Errors[""]);
    }

    [Fact]
    public async Task Quote_ShowsWhatPublishingWouldCommit_WithoutCommittingIt()
    {
        var world = await StartAsync(DatabaseProvider.Sqlite);
        var (a, batchId) = await world.FundedDraftAsync(100, items: 4, priceMinor: 7, maxRedundancy: 5);
        await using var scope = Scenario.TenantScope(world.Services, a.TenantId);

        var quote = await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().QuotePublishAsync(batchId);

        // 7 cents at 20% is 1.4 cents of fee, rounded up to 2: 4 items x 5 x (7 + 2) = 180.
        Assert.Equal(new PublishQuote(4, 5, new Money(7, "USD"), new Money(2, "USD"), new Money(180, "USD"), new Money(100, "USD")), quote.Value);
        Assert.False(quote.Value!.IsCovered);
        Assert.Equal(new Money(100, "USD"), await LedgerScenario.BalanceAsync(world.Services, a.TenantId));
    }

    private static async Task<T[]> WhileHoldingTheLedgerLockAsync<T>(LedgerDatabase world, Guid tenantId, Func<List<Task<T>>> start)
    {
        await using var scope = world.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        List<Task<T>> racers;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await db.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.LedgerSequence, t => t.LedgerSequence + 1));
            racers = start();
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            Assert.All(racers, r => Assert.False(r.IsCompleted, "A publish went ahead while another transaction held the tenant's ledger lock."));
            await transaction.CommitAsync();
        }

        return await Task.WhenAll(racers);
    }
}

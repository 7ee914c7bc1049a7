using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Ledger;

public sealed class BatchLifecycleTests : LedgerTestBase
{
    [Theory, OnSqlite, OnPostgres]
    public async Task CancelAfterPartialWork_ReturnsExactlyTheUnspentEscrow(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var (a, batchId) = await world.FundedDraftAsync(5000, items: 10, priceMinor: 100, maxRedundancy: 3);
        await world.PublishAsync(a, batchId);
        var (worker1, worker2) = (Guid.CreateVersion7(), Guid.CreateVersion7());

        await using (var scope = Scenario.TenantScope(world.Services, a.TenantId))
        {
            var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
            Assert.True((await ledger.RecordApprovedWorkAsync(batchId, worker1, 4)).Succeeded);
            Assert.True((await ledger.RecordApprovedWorkAsync(batchId, worker2, 3)).Succeeded);
        }

        var cancelled = await world.LifecycleAsync(a, s => s.CancelAsync(batchId, a.OwnerId));

        // Committed 10 x 3 x (1.00 + 0.20) = 36.00; spent 7 x 1.20 = 8.40; so exactly 27.60 goes back.
        Assert.True(cancelled.Succeeded);
        Assert.Equal((BatchStatus.Cancelled, world.Clock.GetUtcNow().UtcDateTime), (cancelled.Value!.Status, cancelled.Value.ClosedAt));
        await using var check = Scenario.TenantScope(world.Services, a.TenantId);
        var db = check.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var released = await db.LedgerTransactions.Include(t => t.Postings).SingleAsync(t => t.Kind == LedgerKinds.ReleaseEscrow);
        Assert.Equal(2760, released.Postings.Single(p => p.Account == LedgerAccounts.TenantBalance(a.TenantId)).AmountMinor);
        Assert.Equal($"release:{batchId}", released.IdempotencyKey);
        var cost = await check.ServiceProvider.GetRequiredService<LedgerService>().GetBatchCostAsync(batchId);
        Assert.Equal((3600L, 840L, 0L, 2760L), (cost.Committed.Minor, cost.Spent.Minor, cost.Remaining.Minor, cost.Released.Minor));
        Assert.Equal(new Money(5000 - 3600 + 2760, "USD"), await LedgerScenario.BalanceAsync(world.Services, a.TenantId));
        Assert.Equal(400, await Sum(db, LedgerAccounts.WorkerEarnings(worker1)));
        Assert.Equal(300, await Sum(db, LedgerAccounts.WorkerEarnings(worker2)));
        Assert.Equal(140, await Sum(db, LedgerAccounts.PlatformRevenue));
    }

    [Fact]
    public async Task PauseResumeAndComplete_KeepTheEscrowUntilTheBatchCloses()
    {
        var world = await StartAsync(DatabaseProvider.Sqlite);
        var (a, batchId) = await world.FundedDraftAsync(1000, items: 2, priceMinor: 50, maxRedundancy: 2);
        await world.PublishAsync(a, batchId);

        var paused = await world.LifecycleAsync(a, s => s.PauseAsync(batchId, a.OwnerId));
        var balanceWhilePaused = await LedgerScenario.BalanceAsync(world.Services, a.TenantId);
        var resumed = await world.LifecycleAsync(a, s => s.ResumeAsync(batchId, a.OwnerId));
        var completed = await world.LifecycleAsync(a, s => s.CompleteAsync(batchId, a.OwnerId));

        Assert.Equal(BatchStatus.Paused, paused.Value!.Status);
        Assert.Equal(new Money(1000 - (2 * 2 * 60), "USD"), balanceWhilePaused);
        Assert.Equal(BatchStatus.Published, resumed.Value!.Status);
        Assert.Equal(BatchStatus.Completed, completed.Value!.Status);
        Assert.NotNull(completed.Value.ClosedAt);
        Assert.Equal(new Money(1000, "USD"), await LedgerScenario.BalanceAsync(world.Services, a.TenantId));
    }

    [Fact]
    public async Task CancelOfADraft_ClosesItAndMovesNoMoney()
    {
        var world = await StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(world.Services, "tenant-a");
        var batchId = await LedgerScenario.CreateDraftBatchAsync(world.Services, a, items: 2);

        var cancelled = await world.LifecycleAsync(a, s => s.CancelAsync(batchId, a.OwnerId));

        Assert.Equal(BatchStatus.Cancelled, cancelled.Value!.Status);
        Assert.NotNull(cancelled.Value.ClosedAt);
        await using var scope = world.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().LedgerTransactions.CountAsync());
    }

    [Fact]
    public async Task WrongStateTransitions_AreRefusedWithAClearMessage_AndChangeNothing()
    {
        var world = await StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(world.Services, "tenant-a");
        await LedgerScenario.CreditAsync(world.Services, a.TenantId, 10_000);
        var draft = await LedgerScenario.CreateDraftBatchAsync(world.Services, a, items: 1);
        var published = await LedgerScenario.CreateDraftBatchAsync(world.Services, a, items: 1);
        var cancelled = await LedgerScenario.CreateDraftBatchAsync(world.Services, a, items: 1);
        Assert.True((await world.LifecycleAsync(a, s => s.PublishAsync(published, a.OwnerId))).Succeeded);
        Assert.True((await world.LifecycleAsync(a, s => s.CancelAsync(cancelled, a.OwnerId))).Succeeded);
        var balance = await LedgerScenario.BalanceAsync(world.Services, a.TenantId);

        (Guid Batch, Func<BatchLifecycleService, Guid, Task<Result<Batch>>> Call, string Message)[] cases =
        [
            (draft, (s, id) => s.PauseAsync(id, a.OwnerId), "Only a published batch can be paused; this one is Draft."),
            (draft, (s, id) => s.ResumeAsync(id, a.OwnerId), "Only a paused batch can be resumed; this one is Draft."),
            (draft, (s, id) => s.CompleteAsync(id, a.OwnerId), "Only a published or paused batch can be completed; this one is Draft."),
            (published, (s, id) => s.PublishAsync(id, a.OwnerId), "Only a draft batch can be published; this one is Published."),
            (published, (s, id) => s.ResumeAsync(id, a.OwnerId), "Only a paused batch can be resumed; this one is Published."),
            (cancelled, (s, id) => s.PublishAsync(id, a.OwnerId), "Only a draft batch can be published; this one is Cancelled."),
            (cancelled, (s, id) => s.PauseAsync(id, a.OwnerId), "Only a published batch can be paused; this one is Cancelled."),
            (cancelled, (s, id) => s.CancelAsync(id, a.OwnerId), "Only a draft, published or paused batch can be cancelled; this one is Cancelled."),
            (cancelled, (s, id) => s.CompleteAsync(id, a.OwnerId), "Only a published or paused batch can be completed; this one is Cancelled."),
        ];
        foreach (var (batch, call, message) in cases)
        {
            var refused = await world.LifecycleAsync(a, s => call(s, batch));

            Assert.Equal([message], refused.Errors[""]);
        }

        await using var scope = Scenario.TenantScope(world.Services, a.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var statuses = await db.Batches.ToDictionaryAsync(b => b.Id, b => b.Status);
        Assert.Equal((BatchStatus.Draft, BatchStatus.Published, BatchStatus.Cancelled), (statuses[draft], statuses[published], statuses[cancelled]));
        Assert.Equal(balance, await LedgerScenario.BalanceAsync(world.Services, a.TenantId));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task BatchOfAnotherTenant_IsNotFound_ForEveryTransition(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var a = await Scenario.CreateTenantAsync(world.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(world.Services, "tenant-b");
        var batchOfB = await LedgerScenario.CreateDraftBatchAsync(world.Services, b, items: 1);
        await LedgerScenario.CreditAsync(world.Services, a.TenantId, 10_000);
        await LedgerScenario.CreditAsync(world.Services, b.TenantId, 10_000);

        Func<BatchLifecycleService, Task<Result<Batch>>>[] calls =
        [
            s => s.PublishAsync(batchOfB, a.OwnerId),
            s => s.PauseAsync(batchOfB, a.OwnerId),
            s => s.ResumeAsync(batchOfB, a.OwnerId),
            s => s.CancelAsync(batchOfB, a.OwnerId),
            s => s.CompleteAsync(batchOfB, a.OwnerId),
            s => s.PublishAsync(Guid.CreateVersion7(), a.OwnerId),
        ];
        foreach (var call in calls)
        {
            Assert.True((await world.LifecycleAsync(a, call)).IsNotFound);
        }

        await using var scope = Scenario.TenantScope(world.Services, a.TenantId);
        Assert.True((await scope.ServiceProvider.GetRequiredService<LedgerService>().RecordApprovedWorkAsync(batchOfB, Guid.CreateVersion7(), 1)).IsNotFound);
        Assert.Equal(new Money(10_000, "USD"), await LedgerScenario.BalanceAsync(world.Services, b.TenantId));
    }

    [Fact]
    public async Task ApprovedWork_BeyondTheEscrow_IsRefused_AndAnIdempotencyKeyPaysOnlyOnce()
    {
        var world = await StartAsync(DatabaseProvider.Sqlite);
        var (a, batchId) = await world.FundedDraftAsync(1000, items: 1, priceMinor: 100, maxRedundancy: 2);
        var draftPaid = await ApproveAsync(world, a, batchId, 1);
        await world.PublishAsync(a, batchId);

        var first = await ApproveAsync(world, a, batchId, 1, "approval:assignment-1");
        var again = await ApproveAsync(world, a, batchId, 1, "approval:assignment-1");
        var tooMany = await ApproveAsync(world, a, batchId, 2);
        var none = await ApproveAsync(world, a, batchId, 0);

        Assert.Equal(["Work is paid only in a published batch; this one is a draft."], draftPaid.Errors[""]);
        Assert.Equal(first.Value!.Id, again.Value!.Id);
        Assert.Equal(["The escrow of this batch holds 1.20 USD; paying for 2 approved assignments needs 2.40 USD."], tooMany.Errors[""]);
        Assert.Equal(["Approve at least one assignment."], none.Errors["assignments"]);
        await using var scope = Scenario.TenantScope(world.Services, a.TenantId);
        Assert.Equal(new Money(120, "USD"), (await scope.ServiceProvider.GetRequiredService<LedgerService>().GetBatchCostAsync(batchId)).Spent);
    }

    private static async Task<Result<LedgerTransaction>> ApproveAsync(LedgerDatabase world, TenantFixture tenant, Guid batchId, int assignments, string? key = null)
    {
        await using var scope = Scenario.TenantScope(world.Services, tenant.TenantId);
        return await scope.ServiceProvider.GetRequiredService<LedgerService>().RecordApprovedWorkAsync(batchId, tenant.OwnerId, assignments, key);
    }

    private static Task<long> Sum(ICrowdLabelDb db, string account) =>
        db.Postings.Where(p => p.Account == account).SumAsync(p => p.AmountMinor);
}

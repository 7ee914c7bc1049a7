using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Tests.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Quality;

public sealed class ApprovalTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task ApprovingABatch_PaysEachWorker_InOneLedgerTransactionForAllTheirAnswers(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 3, redundancy: 2, workers: 2);
        foreach (var worker in world.Workers)
        {
            await world.WorkUntilDoneAsync(worker, _ => "yes");
        }

        var outcome = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>().ApproveBatchAsync(world.BatchId));

        Assert.Equal(new ApprovalOutcome(6, 0), outcome.Value);
        Assert.All((await world.SnapshotAsync()).Assignments, a => Assert.Equal(AssignmentStatus.Approved, a.Status));
        await using (var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
            var approvals = await db.LedgerTransactions.Include(t => t.Postings)
                .Where(t => t.BatchId == world.BatchId && t.Kind == LedgerKinds.Approval).ToListAsync();
            var batch = await db.Batches.SingleAsync(b => b.Id == world.BatchId);
            Assert.Equal(2, approvals.Count);
            Assert.All(approvals, t => Assert.Equal($"Approved 3 assignments in batch \"{batch.Name}\"", t.Description));
            foreach (var worker in world.Workers)
            {
                var earned = approvals.SelectMany(t => t.Postings).Where(p => p.Account == LedgerAccounts.WorkerEarnings(worker)).Sum(p => p.AmountMinor);
                Assert.Equal(3 * batch.PricePerAssignmentMinor, earned);
            }
        }

        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    /// <summary>
    /// A requester cancels a batch in which two answers wait for approval, one of a worker since paused by gold: the
    /// escrow keeps the pay of both, the rest returns at once; when the approval delay runs out the good answer is paid,
    /// the paused worker's rejected, and what the escrow kept for that one returns too. Before, answers handed in before a
    /// close were never approved: their workers went unpaid and the tenant got the money back.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task AnswersWaitingWhenTheBatchIsCancelled_AreStillApprovedAndPaid_AndTheRestOfTheEscrowReturnsAfter(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 4, redundancy: 1, workers: 2);
        var (good, paused) = (world.Workers[0], world.Workers[1]);
        foreach (var worker in world.Workers)
        {
            var task = await world.ClaimTaskAsync(worker);
            Assert.True((await world.AnswerAsync(task.AssignmentId, worker, "yes")).Succeeded);
        }

        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, paused, w => (w.Status, w.StatusReason) = (ProjectWorkerStatus.Paused, "gold"));
        var batch = await world.BatchAsync();
        var (perAnswer, committed) = (batch.PricePerAssignmentMinor + batch.FeePerAssignmentMinor, await EscrowAsync(world));
        await world.LifecycleAsync(s => s.CancelAsync(world.BatchId, world.Tenant.OwnerId));
        var keptAtTheClose = await EscrowAsync(world);
        var notYetDue = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>().ApproveDueAsync());
        world.Clock.Advance(TimeSpan.FromHours(73));

        var outcome = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>().ApproveDueAsync());

        Assert.Equal(2 * perAnswer, keptAtTheClose);
        Assert.Equal(new ApprovalOutcome(0, 0), notYetDue);
        Assert.Equal(new ApprovalOutcome(Approved: 1, Failed: 0, Rejected: 1), outcome);
        var answers = (await world.SnapshotAsync()).Assignments;
        Assert.Equal(AssignmentStatus.Approved, answers.Single(a => a.WorkerId == good).Status);
        Assert.Equal(AssignmentStatus.Rejected, answers.Single(a => a.WorkerId == paused).Status);
        Assert.Equal(0, await EscrowAsync(world));
        await using (var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
            var returned = await db.LedgerTransactions.Where(t => t.BatchId == world.BatchId && t.Kind == LedgerKinds.ReleaseEscrow)
                .OrderBy(t => t.CreatedAt).Select(t => new { t.IdempotencyKey, Amount = t.Postings.Single(p => p.Account == LedgerAccounts.TenantBalance(world.Tenant.TenantId)).AmountMinor })
                .ToListAsync();
            Assert.Equal([($"release:{world.BatchId}", committed - 2 * perAnswer), ($"release-held:{world.BatchId}", perAnswer)],
                returned.Select(r => (r.IdempotencyKey!, r.Amount)));
            var earned = await db.LedgerTransactions.SelectMany(t => t.Postings)
                .Where(p => p.Account == LedgerAccounts.WorkerEarnings(good)).SumAsync(p => p.AmountMinor);
            Assert.Equal(batch.PricePerAssignmentMinor, earned);
        }

        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    private static Task<long> EscrowAsync(WorkWorld world) =>
        world.InTenantAsync(async s => (await s.GetRequiredService<LedgerService>().GetBatchCostAsync(world.BatchId)).Remaining.Minor);

    /// <summary>
    /// A worker paused by gold after answering both items of a batch whose max redundancy is 2: consensus leaves their
    /// answers out and opens a slot on each item for another answer, so the escrow (2 items x 2 answers) is for the
    /// two other workers' answers. When the approval delay runs out the paused worker's answers are rejected with the
    /// gold reason and every other answer is paid; the batch completes. Paying them too left two answers of workers in
    /// good standing unpaid for want of escrow, and the batch open for ever.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task PausedWorkersAnswers_AreRejectedWhenApprovalComes_AndTheEscrowPaysTheAnswersInTheirPlace(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 2, redundancy: 2, workers: 3);
        var (paused, steady, replacing) = (world.Workers[0], world.Workers[1], world.Workers[2]);
        Assert.Equal(2, (await world.WorkUntilDoneAsync(paused, _ => "no")).Count);
        Assert.Equal(2, (await world.WorkUntilDoneAsync(steady, _ => "yes")).Count);
        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, paused, w => (w.Status, w.StatusReason) = (ProjectWorkerStatus.Paused, "gold"));
        Assert.Equal(2, (await world.RunConsensusAsync()).Extended);
        Assert.Equal(2, (await world.WorkUntilDoneAsync(replacing, _ => "yes")).Count);
        await world.RunConsensusAsync();
        world.Clock.Advance(TimeSpan.FromHours(73));

        var outcome = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>().ApproveDueAsync());

        Assert.Equal(new ApprovalOutcome(Approved: 4, Failed: 0, Rejected: 2), outcome);
        var answers = (await world.SnapshotAsync()).Assignments;
        Assert.All(answers.Where(a => a.WorkerId == paused), a => Assert.Equal((AssignmentStatus.Rejected, ApprovalService.PausedByGoldReason), (a.Status, a.RejectionReason)));
        Assert.All(answers.Where(a => a.WorkerId != paused), a => Assert.Equal(AssignmentStatus.Approved, a.Status));
        Assert.Equal(BatchStatus.Completed, (await world.BatchAsync()).Status);
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    /// <summary>
    /// The same, with the paused worker's answers approved (paid) before the pause: the escrow has paid for them, so no
    /// slot opens in their place, where no answer could be paid. Each item, short of usable answers at its max, goes to
    /// review; resolved, the batch completes with the escrow spent exactly. Opening the slots left the answers given
    /// there unpaid for want of escrow, and the batch open for ever.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task PausedWorkersAnswersPaidBeforeThePause_OpenNoSlotTheEscrowCannotPay_AndTheItemsGoToReview(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 2, redundancy: 2, workers: 3);
        var (paused, steady, other) = (world.Workers[0], world.Workers[1], world.Workers[2]);
        await world.WorkUntilDoneAsync(paused, _ => "no");
        await world.WorkUntilDoneAsync(steady, _ => "yes");
        var approved = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>().ApproveBatchAsync(world.BatchId));
        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, paused, w => (w.Status, w.StatusReason) = (ProjectWorkerStatus.Paused, "gold"));

        var run = await world.RunConsensusAsync();
        var claim = await world.ClaimAsync(other);

        Assert.Equal(new ApprovalOutcome(4, 0), approved.Value);
        Assert.Equal((0, 2), (run.Extended, run.Disputed));
        Assert.All((await world.SnapshotAsync()).Items, i => Assert.Equal((ItemStatus.Disputed, 2), (i.Status, i.RedundancyTarget)));
        Assert.True(claim.Succeeded && claim.Value!.IsNothingLeft);
        foreach (var item in (await world.SnapshotAsync()).Items)
        {
            Assert.True((await world.ResolveAsync(item.Id, "yes")).Succeeded);
        }

        Assert.True((await world.RunConsensusAsync()).Completed);
        Assert.Equal(BatchStatus.Completed, (await world.BatchAsync()).Status);
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ApprovingABatch_WhenTheEscrowCannotPayForAll_PaysAsManyAsItCan_AndLeavesTheRestWaiting(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 3, redundancy: 1, workers: 1);
        await world.WorkUntilDoneAsync(world.Workers[0], _ => "yes");
        // The escrow held three answers' pay and fees; two answers' worth go elsewhere first.
        var elsewhere = await world.InTenantAsync(s => s.GetRequiredService<LedgerService>().RecordApprovedWorkAsync(world.BatchId, Guid.CreateVersion7(), 2));
        Assert.True(elsewhere.Succeeded);

        var outcome = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>().ApproveBatchAsync(world.BatchId));

        Assert.Equal(["1 answers were approved; 2 could not be paid from the batch's escrow."], outcome.Errors[""]);
        Assert.Equal([AssignmentStatus.Approved, AssignmentStatus.Submitted, AssignmentStatus.Submitted],
            (await world.SnapshotAsync()).Assignments.OrderBy(a => a.SubmittedAt).Select(a => a.Status));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }
}

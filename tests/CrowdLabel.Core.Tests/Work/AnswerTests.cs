using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Work;

public sealed class AnswerTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Answer_IsRecorded_AndTheLeasesSlotBecomesTheAnswer(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider);
        var worker = world.Workers[0];
        var task = await world.ClaimTaskAsync(worker);

        var answered = await world.AnswerAsync(task.AssignmentId, worker, "yes");

        Assert.Equal(new AssignmentReceipt(task.AssignmentId, world.BatchId, AssignmentStatus.Submitted, "yes", WorkWorld.Start.UtcDateTime, null), answered.Value);
        var (items, assignments) = await world.SnapshotAsync();
        var item = Assert.Single(items, i => i.Id == Assert.Single(assignments).ItemId);
        Assert.Equal((1, 1), (item.Claimed, item.AnswerCount));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Answer_WithALabelNotInTheProject_IsRefusedListingTheLabels_AndChangesNothing(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider);
        var worker = world.Workers[0];
        var task = await world.ClaimTaskAsync(worker);

        var refused = await world.AnswerAsync(task.AssignmentId, worker, "maybe");
        var empty = await world.AnswerAsync(task.AssignmentId, worker, " ");

        Assert.Equal(["\"maybe\" is not one of the labels: yes, no."], refused.Errors[nameof(AnswerInput.Label)]);
        Assert.Equal(["Choose a label."], empty.Errors[nameof(AnswerInput.Label)]);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal((AssignmentStatus.Leased, null), (Assert.Single(assignments).Status, assignments[0].Label));
        Assert.Equal(0, items.Sum(i => i.AnswerCount));
    }

    // On PostgreSQL the answer's fast path runs first and must change nothing here.
    [Theory, OnSqlite, OnPostgres]
    public async Task Answer_ForAnItemNotLeasedToThisWorker_IsNotFound_AndChangesNothing(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider);
        var (owner, other) = (world.Workers[0], world.Workers[1]);
        var task = await world.ClaimTaskAsync(owner);

        var byOther = await world.AnswerAsync(task.AssignmentId, other, "yes");
        var unknown = await world.AnswerAsync(Guid.CreateVersion7(), owner, "yes");
        var skippedByOther = await WorkScenario.EngineAsync(world.Services, e => e.SkipAsync(task.AssignmentId, other));

        Assert.True(byOther.IsNotFound);
        Assert.True(unknown.IsNotFound);
        Assert.True(skippedByOther.IsNotFound);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal(AssignmentStatus.Leased, Assert.Single(assignments).Status);
        Assert.Equal((1, 0), (items.Sum(i => i.Claimed), items.Sum(i => i.AnswerCount)));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Answer_SubmittedTwice_ReturnsTheFirstAnswer_EvenWithAnotherLabel(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, workers: 1);
        var worker = world.Workers[0];
        var first = await world.ClaimTaskAsync(worker);

        var answered = await world.AnswerAsync(first.AssignmentId, worker, "yes");
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        var again = await world.AnswerAsync(first.AssignmentId, worker, "no");
        // Two submits of one task at the same moment, as a double click sends them: one answer, the same result twice.
        var second = await world.ClaimTaskAsync(worker);
        var racing = await Task.WhenAll(
            Task.Run(() => world.AnswerAsync(second.AssignmentId, worker, "no")),
            Task.Run(() => world.AnswerAsync(second.AssignmentId, worker, "yes")));

        Assert.Equal(answered.Value, again.Value);
        Assert.Equal(("yes", WorkWorld.Start.UtcDateTime), (again.Value!.Label, again.Value.SubmittedAt));
        Assert.All(racing, r => Assert.True(r.Succeeded));
        Assert.Equal(racing[0].Value!.Label, racing[1].Value!.Label);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal(2, items.Sum(i => i.AnswerCount));
        Assert.Equal(racing[0].Value!.Label, Assert.Single(assignments, a => a.Id == second.AssignmentId).Label);
    }

    // On PostgreSQL the answer's fast path runs first and must change nothing here.
    [Theory, OnSqlite, OnPostgres]
    public async Task Answer_AfterTheLeaseEnded_IsRefusedWithTheTime_AndFreesTheSlot(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, configure: p => p.LeaseMinutes = 5);
        var worker = world.Workers[0];
        var task = await world.ClaimTaskAsync(worker);

        world.Clock.Advance(TimeSpan.FromMinutes(5));
        var justInTime = await world.AnswerAsync(task.AssignmentId, worker, "maybe");
        world.Clock.Advance(TimeSpan.FromSeconds(1));
        var late = await world.AnswerAsync(task.AssignmentId, worker, "yes");
        var lateAgain = await world.AnswerAsync(task.AssignmentId, worker, "yes");
        var next = await world.ClaimTaskAsync(worker);

        Assert.Equal(["\"maybe\" is not one of the labels: yes, no."], justInTime.Errors[nameof(AnswerInput.Label)]);
        const string message = "Your lease on this task ended at 14:05 UTC; the task went back to the pool. Take the next task.";
        Assert.Equal([message], late.Errors[AssignmentService.LeaseErrorKey]);
        Assert.Equal([message], lateAgain.Errors[AssignmentService.LeaseErrorKey]);
        var (items, assignments) = await world.SnapshotAsync();
        var expired = Assert.Single(assignments, a => a.Id == task.AssignmentId);
        Assert.Equal((AssignmentStatus.Expired, null), (expired.Status, expired.Label));
        var item = Assert.Single(items, i => i.Id == expired.ItemId);
        Assert.Equal((0, 0), (item.Claimed, item.AnswerCount));
        Assert.NotEqual(expired.ItemId, Assert.Single(assignments, a => a.Id == next.AssignmentId).ItemId);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Answer_AfterItsBatchWasCancelledOrCompleted_IsRefusedSayingWhy_TheCloseHavingEndedTheLease(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider);
        var (first, second) = (world.Workers[0], world.Workers[1]);
        var toComplete = await WorkScenario.CreatePublishedBatchAsync(world.Services, world.Tenant, items: 2);
        var ofCancelled = await world.ClaimTaskAsync(first);
        var ofCompleted = await WorkScenario.ClaimTaskAsync(world.Services, toComplete, second);

        await world.LifecycleAsync(s => s.CancelAsync(world.BatchId, world.Tenant.OwnerId));
        await world.LifecycleAsync(s => s.CompleteAsync(toComplete, world.Tenant.OwnerId));
        var closed = await StateAsync(world, toComplete);
        var cancelled = await world.AnswerAsync(ofCancelled.AssignmentId, first, "yes");
        var completed = await world.AnswerAsync(ofCompleted.AssignmentId, second, "no");

        Assert.Equal(["This batch was cancelled by its requester; your answer was not recorded."], cancelled.Errors[AssignmentService.LeaseErrorKey]);
        Assert.Equal(["This batch is complete; your answer was not recorded."], completed.Errors[AssignmentService.LeaseErrorKey]);
        // The close ended both leases as the expiry job does, and gave their slots back.
        Assert.Equal([(ofCancelled.AssignmentId, AssignmentStatus.Expired), (ofCompleted.AssignmentId, AssignmentStatus.Expired)],
            closed.Assignments.Select(a => (a.Id, a.Status)));
        Assert.True(closed.Assignments.TrueForAll(a => a.Label is null));
        Assert.All(closed.Items, i => Assert.Equal((0, 0), (i.Claimed, i.AnswerCount)));
        // The refused answers changed nothing: no assignment, no item, no posting.
        var after = await StateAsync(world, toComplete);
        Assert.Equal(closed.Items, after.Items);
        Assert.Equal(closed.Assignments, after.Assignments);
        Assert.Equal(closed.Postings, after.Postings);
    }

    /// <summary>A lease a claim took while its batch was closing (here: a batch closed by hand, its lease left alone).</summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task Answer_ToALeaseOfAClosedBatch_ThatOutlivedTheClose_IsRefused_AndTheLeaseEnds(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider);
        var worker = world.Workers[0];
        var task = await world.ClaimTaskAsync(worker);
        await using (var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId))
        {
            await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Batches.Where(b => b.Id == world.BatchId)
                .ExecuteUpdateAsync(u => u.SetProperty(b => b.Status, BatchStatus.Cancelled));
        }

        var refused = await world.AnswerAsync(task.AssignmentId, worker, "yes");

        Assert.Equal(["This batch was cancelled by its requester; your answer was not recorded."], refused.Errors[AssignmentService.LeaseErrorKey]);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal((AssignmentStatus.Expired, null), (Assert.Single(assignments).Status, assignments[0].Label));
        Assert.Equal((0, 0), (items.Sum(i => i.Claimed), items.Sum(i => i.AnswerCount)));
    }

    [Fact]
    public async Task Skip_GivesTheItemBack_AndTheWorkerIsNeverOfferedItAgain()
    {
        await using var world = await WorkWorld.StartAsync(DatabaseProvider.Sqlite, items: 2, redundancy: 1);
        var (first, second) = (world.Workers[0], world.Workers[1]);
        var skippedTask = await world.ClaimTaskAsync(first);

        var skipped = await WorkScenario.EngineAsync(world.Services, e => e.SkipAsync(skippedTask.AssignmentId, first));
        var skippedAgain = await WorkScenario.EngineAsync(world.Services, e => e.SkipAsync(skippedTask.AssignmentId, first));
        var answerAfterSkip = await world.AnswerAsync(skippedTask.AssignmentId, first, "yes");
        var other = await world.ClaimTaskAsync(first);
        await world.AnswerAsync(other.AssignmentId, first, "yes");
        var nothingLeft = await world.ClaimAsync(first);
        var forSecond = await world.ClaimTaskAsync(second);

        Assert.Equal(AssignmentStatus.Skipped, skipped.Value!.Status);
        Assert.Equal(skipped.Value, skippedAgain.Value);
        Assert.Equal(["You gave this task back, so it can no longer be answered. Take the next task."], answerAfterSkip.Errors[AssignmentService.LeaseErrorKey]);
        Assert.NotEqual(skippedTask.Item["text"], other.Item["text"]);
        Assert.True(nothingLeft.Value!.IsNothingLeft);
        Assert.Equal(skippedTask.Item, forSecond.Item);
        var (items, _) = await world.SnapshotAsync();
        Assert.All(items, i => Assert.Equal(1, i.Claimed));
    }

    [Fact]
    public async Task ReportProblem_NeedsAText_AndGivesTheItemBackWithTheReport()
    {
        await using var world = await WorkWorld.StartAsync(DatabaseProvider.Sqlite, items: 1, redundancy: 1);
        var worker = world.Workers[0];
        var task = await world.ClaimTaskAsync(worker);

        var blank = await WorkScenario.EngineAsync(world.Services, e => e.ReportProblemAsync(task.AssignmentId, worker, new ProblemInput { Problem = "  " }));
        var tooLong = await WorkScenario.EngineAsync(world.Services, e => e.ReportProblemAsync(task.AssignmentId, worker, new ProblemInput { Problem = new string('x', 1001) }));
        var reported = await WorkScenario.EngineAsync(world.Services, e => e.ReportProblemAsync(task.AssignmentId, worker, new ProblemInput { Problem = " The text is cut off. " }));

        Assert.Equal(["Say what is wrong with this item, like \"the image does not load\"."], blank.Errors[nameof(ProblemInput.Problem)]);
        Assert.Equal(["Keep the report to 1000 characters."], tooLong.Errors[nameof(ProblemInput.Problem)]);
        Assert.Equal((AssignmentStatus.Skipped, "The text is cut off."), (reported.Value!.Status, reported.Value.ProblemReport));
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal("The text is cut off.", Assert.Single(assignments).ProblemReport);
        Assert.Equal(0, Assert.Single(items).Claimed);
        Assert.True((await world.ClaimAsync(worker)).Value!.IsNothingLeft);
    }

    [Fact]
    public async Task AnsweredTask_CannotBeGivenBack()
    {
        await using var world = await WorkWorld.StartAsync(DatabaseProvider.Sqlite);
        var worker = world.Workers[0];
        var task = await world.ClaimTaskAsync(worker);
        await world.AnswerAsync(task.AssignmentId, worker, "no");

        var skipped = await WorkScenario.EngineAsync(world.Services, e => e.SkipAsync(task.AssignmentId, worker));

        Assert.Equal(["You already answered this task; an answered task cannot be given back."], skipped.Errors[""]);
        var (items, _) = await world.SnapshotAsync();
        Assert.Equal((1, 1), (items.Sum(i => i.Claimed), items.Sum(i => i.AnswerCount)));
    }

    /// <summary>What a refused answer must not change: the assignments and items of both batches, and the whole ledger.</summary>
    private static async Task<WorkState> StateAsync(WorkWorld world, Guid otherBatchId)
    {
        var (items, assignments) = await world.SnapshotAsync();
        var (otherItems, otherAssignments) = await WorkScenario.SnapshotAsync(world.Services, world.Tenant.TenantId, otherBatchId);
        await using var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId);
        var postings = await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Postings.AsNoTracking()
            .OrderBy(p => p.Id).Select(p => p.Id).ToListAsync();
        return new WorkState(
            [.. items.Concat(otherItems).Select(i => (i.Id, i.Claimed, i.AnswerCount))],
            [.. assignments.Concat(otherAssignments).Select(a => (a.Id, a.Status, a.Label))],
            postings);
    }

    private sealed record WorkState(
        List<(Guid Id, int Claimed, int AnswerCount)> Items, List<(Guid Id, AssignmentStatus Status, string? Label)> Assignments, List<Guid> Postings);
}

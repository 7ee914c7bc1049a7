using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;

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

    [Fact]
    public async Task Answer_ForAnItemNotLeasedToThisWorker_IsNotFound_AndChangesNothing()
    {
        await using var world = await WorkWorld.StartAsync(DatabaseProvider.Sqlite);
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

    [Fact]
    public async Task Answer_AfterTheLeaseEnded_IsRefusedWithTheTime_AndFreesTheSlot()
    {
        await using var world = await WorkWorld.StartAsync(DatabaseProvider.Sqlite, configure: p => p.LeaseMinutes = 5);
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
}

using System.Text.Json;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Jobs;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CrowdLabel.Core.Tests.Work;

public sealed class ClaimTests
{
    private const string ProjectName = "Project of acme";

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_GivesFewestAnswersFirst_ThenLeastConfident_AndNeverTheSameItemTwice(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 5, workers: 2);
        double?[] confidence = [0.9, null, 0.5, 0.7, 0.6];
        await using (var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            foreach (var item in await db.Items.Where(i => i.BatchId == world.BatchId).ToListAsync())
            {
                item.Confidence = confidence[item.RowNumber - 1];
                item.AnswerCount = item.RowNumber == 5 ? 1 : 0;
            }

            await db.SaveChangesAsync();
        }

        var order = new List<string>();
        for (var n = 0; n < 5; n++)
        {
            var task = await world.ClaimTaskAsync(world.Workers[0]);
            order.Add(task.Item["text"]);
            Assert.True((await world.AnswerAsync(task.AssignmentId, world.Workers[0], "yes")).Succeeded);
        }

        // No consensus yet counts as least certain; the item that already has an answer comes last.
        Assert.Equal(["item 2", "item 3", "item 4", "item 1", "item 5"], order);
        Assert.True((await world.ClaimAsync(world.Workers[0])).Value!.IsNothingLeft);
        // The second worker's order is by the answers counted (on PostgreSQL they follow the answers): wait for them.
        await world.SnapshotAsync();
        Assert.Equal("item 2", (await world.ClaimTaskAsync(world.Workers[1])).Item["text"]);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_OffersASlotGivenBack_BeforeTheItemsAfterIt(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 4, workers: 4, redundancy: 1);
        var (first, second, third, fourth) = (world.Workers[0], world.Workers[1], world.Workers[2], world.Workers[3]);

        // Item 1 is answered and counted, item 2 leased; then item 2 comes back while item 3 is still untouched.
        var answered = await world.ClaimTaskAsync(first);
        Assert.True((await world.AnswerAsync(answered.AssignmentId, first, "yes")).Succeeded);
        await world.SnapshotAsync();
        var givenBack = await world.ClaimTaskAsync(second);
        Assert.True((await WorkScenario.EngineAsync(world.Services, e => e.SkipAsync(givenBack.AssignmentId, second))).Succeeded);

        var next = await world.ClaimTaskAsync(third);
        var after = await world.ClaimTaskAsync(fourth);

        Assert.Equal(["item 1", "item 2", "item 2", "item 3"], new[] { answered, givenBack, next, after }.Select(t => t.Item["text"]));
        var (items, _) = await world.SnapshotAsync();
        Assert.Equal([1, 1, 1, 0], items.OrderBy(i => i.RowNumber).Select(i => i.Claimed));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_WhileHoldingALease_GivesItBack_UpToTheProjectsLeaseLimit(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, workers: 1);
        var worker = world.Workers[0];

        var first = await world.ClaimTaskAsync(worker);
        var again = await world.ClaimTaskAsync(worker);
        await WorkScenario.UpdateProjectAsync(world.Services, world.Tenant, p => p.MaxLeasesPerWorker = 2);
        var second = await world.ClaimTaskAsync(worker);
        var third = await world.ClaimTaskAsync(worker);

        Assert.Equal((first.AssignmentId, first.LeaseExpiresAt), (again.AssignmentId, again.LeaseExpiresAt));
        Assert.Equal(first.Item, again.Item);
        Assert.NotEqual(first.AssignmentId, second.AssignmentId);
        Assert.Equal(first.AssignmentId, third.AssignmentId);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal(2, assignments.Count);
        Assert.Equal(2, items.Sum(i => i.Claimed));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_ByABlockedOrPausedWorker_IsRefusedWithTheReason_AndChangesNothing(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, workers: 3);
        var (blocked, paused, active) = (world.Workers[0], world.Workers[1], world.Workers[2]);
        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, blocked, w =>
            (w.Status, w.StatusReason) = (ProjectWorkerStatus.Blocked, "Too many wrong gold answers"));
        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, paused, w => w.Status = ProjectWorkerStatus.Paused);

        var refusedBlocked = await world.ClaimAsync(blocked);
        var refusedPaused = await world.ClaimAsync(paused);

        Assert.Equal([$"You are blocked from the project \"{ProjectName}\": Too many wrong gold answers."], refusedBlocked.Errors[""]);
        Assert.Equal([$"Your work on the project \"{ProjectName}\" is paused."], refusedPaused.Errors[""]);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Empty(assignments);
        Assert.All(items, i => Assert.Equal(0, i.Claimed));
        Assert.True((await world.ClaimAsync(active)).Value!.Task is not null);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_ByAnAccountThatIsNotAWorker_IsRefused_AndChangesNothing(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, workers: 1);

        // The requester who owns the tenant has an account, but no worker profile.
        var refused = await world.ClaimAsync(world.Tenant.OwnerId);

        Assert.Equal(["Only worker accounts take tasks."], refused.Errors[""]);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Empty(assignments);
        Assert.All(items, i => Assert.Equal(0, i.Claimed));
        Assert.NotNull((await world.ClaimAsync(world.Workers[0])).Value!.Task);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_OnAProjectThatAsksForQualification_NeedsAPassedTest(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, workers: 1, configure: p => p.QualificationItemCount = 2);
        var worker = world.Workers[0];

        var refused = await world.ClaimAsync(worker);
        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, worker, w => w.QualifiedAt = WorkWorld.Start.UtcDateTime);
        var claimed = await world.ClaimAsync(worker);

        Assert.Equal([$"The project \"{ProjectName}\" asks for a qualification test first: pass it to take its tasks."], refused.Errors[""]);
        Assert.NotNull(claimed.Value!.Task);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_OnABatchThatIsNotOpen_IsRefused(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, workers: 1);
        var worker = world.Workers[0];
        var draft = await LedgerScenario.CreateDraftBatchAsync(world.Services, world.Tenant, items: 2, priceMinor: 1);

        var ofDraft = await world.ClaimAsync(worker, draft);
        await world.LifecycleAsync(s => s.PauseAsync(world.BatchId, world.Tenant.OwnerId));
        var whilePaused = await world.ClaimAsync(worker);
        await world.LifecycleAsync(s => s.ResumeAsync(world.BatchId, world.Tenant.OwnerId));
        var resumed = await world.ClaimAsync(worker);
        await world.LifecycleAsync(s => s.CancelAsync(world.BatchId, world.Tenant.OwnerId));
        var afterCancel = await world.ClaimAsync(worker);

        Assert.Equal(["This batch is not open for work yet."], ofDraft.Errors[""]);
        Assert.Equal(["This batch is paused by its requester; try again later or choose another batch."], whilePaused.Errors[""]);
        Assert.NotNull(resumed.Value!.Task);
        Assert.Equal(["This batch was cancelled; choose another batch."], afterCancel.Errors[""]);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_OfAPrivateProjectsBatch_IsNotFound_OutsideItsWorkforce(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider,
            configure: p => p.Visibility = ProjectVisibility.PrivateWorkforce);
        var (member, outsider) = (world.Workers[0], world.Workers[1]);
        await WorkScenario.AddToWorkforceAsync(world.Services, world.Tenant, member);

        Assert.True((await world.ClaimAsync(outsider)).IsNotFound);
        Assert.True((await world.ClaimAsync(member, Guid.CreateVersion7())).IsNotFound);
        Assert.NotNull((await world.ClaimAsync(member)).Value!.Task);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Gold_IsInterleavedAtTheGoldRatio_AndLooksLikeRealWork(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 6, goldItems: 6, workers: 1, configure: p => p.GoldRatio = 0.5);
        var worker = world.Workers[0];
        var tasks = new List<WorkTask>();
        for (var n = 0; n < 8; n++)
        {
            var task = await world.ClaimTaskAsync(worker);
            tasks.Add(task);
            // Every gold item's answer is "yes": the fifth task is answered "no", wrong if it is gold.
            Assert.True((await world.AnswerAsync(task.AssignmentId, worker, n == 4 ? "no" : "yes")).Succeeded);
        }

        var (items, assignments) = await world.SnapshotAsync();
        var gold = tasks.Select(t => items.Single(i => i.Id == assignments.Single(a => a.Id == t.AssignmentId).ItemId).GoldLabel is not null).ToList();
        // At 0.5 every pair of tasks holds one gold; which of the two is drawn.
        Assert.All(gold.Chunk(2), pair => Assert.Single(pair, isGold => isGold));
        var goldJson = JsonSerializer.SerializeToElement(tasks[gold.IndexOf(true)], JsonSerializerOptions.Web);
        var realJson = JsonSerializer.SerializeToElement(tasks[gold.IndexOf(false)], JsonSerializerOptions.Web);
        Assert.Equal(Shape(realJson), Shape(goldJson));
        Assert.Equal(["text"], Shape(goldJson.GetProperty("item")));
        Assert.DoesNotContain("gold", goldJson.GetRawText(), StringComparison.OrdinalIgnoreCase);
        await using var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId);
        var standing = await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().ProjectWorkers.SingleAsync();
        Assert.Equal((worker, 4, gold[4] ? 3 : 4), (standing.WorkerId, standing.GoldAnswers, standing.GoldCorrect));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.25)]
    [InlineData(0.1)]
    [InlineData(0.15)]
    public void GoldDue_KeepsEveryWorkersGoldWithinOneOfTheRatio_AndPutsItAtDrawnPlaces(double ratio)
    {
        var random = new Random(20261208);
        var firstPlaces = new HashSet<int>();
        for (var worker = 0; worker < 200; worker++)
        {
            var gold = 0;
            for (var all = 0; all < 100; all++)
            {
                if (AssignmentService.GoldDue(ratio, all, gold, random.NextDouble()))
                {
                    if (gold == 0)
                    {
                        firstPlaces.Add(all);
                    }

                    gold++;
                }

                // After every task the gold so far is the ratio's share of the tasks, rounded up or down.
                Assert.InRange(gold, Math.Floor(ratio * (all + 1)), Math.Ceiling(ratio * (all + 1)));
            }
        }

        // Where a worker's first gold falls varies: over 200 workers it is seen at every place of the first run of
        // 1 / ratio tasks but the last (which the draw reaches with a chance under 1 in 1,000 at 10%).
        Assert.Superset(Enumerable.Range(0, (int)Math.Ceiling(1 / ratio) - 1).ToHashSet(), firstPlaces);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Gold_IsNotAlwaysTheFirstTask_ItsPlaceIsDrawn(DatabaseProvider provider)
    {
        // At 0.5 a worker's first task is gold with chance one half: 24 workers all getting gold first (or none) has a
        // chance of 2^-23; fewer than 3 or more than 21 of them, about 4 in 100,000.
        await using var world = await WorkWorld.StartAsync(provider, items: 24, goldItems: 2, workers: 24, configure: p => p.GoldRatio = 0.5);
        foreach (var worker in world.Workers)
        {
            await world.ClaimTaskAsync(worker);
        }

        var (items, assignments) = await world.SnapshotAsync();
        var goldFirst = assignments.Count(a => items.Single(i => i.Id == a.ItemId).GoldLabel is not null);
        Assert.Equal(24, assignments.Count);
        Assert.InRange(goldFirst, 3, 21);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Gold_IsNotHandedOut_WhenTheWorkerHasNoRealWorkLeft(DatabaseProvider provider)
    {
        // The one real item's one slot goes to another worker; then gold is always due. A task when the marketplace
        // shows none left would be gold, and give itself away.
        await using var world = await WorkWorld.StartAsync(provider, items: 1, redundancy: 1, goldItems: 3, workers: 2, configure: p => p.GoldRatio = 0);
        var other = await world.ClaimTaskAsync(world.Workers[1]);
        await WorkScenario.UpdateProjectAsync(world.Services, world.Tenant, p => p.GoldRatio = 1);

        var claim = await world.ClaimAsync(world.Workers[0]);

        Assert.True(claim.Succeeded);
        Assert.Null(claim.Value!.Task);
        var (_, assignments) = await world.SnapshotAsync();
        Assert.Equal(other.AssignmentId, Assert.Single(assignments).Id);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Claim_FreesTheBatchsEndedLeasesOnItsWay(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 1, redundancy: 1, configure: p => p.LeaseMinutes = 5);
        var (slow, next) = (world.Workers[0], world.Workers[1]);
        var slowTask = await world.ClaimTaskAsync(slow);

        var whileLeased = await world.ClaimAsync(next);
        world.Clock.Advance(TimeSpan.FromMinutes(6));
        var afterExpiry = await world.ClaimTaskAsync(next);

        Assert.True(whileLeased.Value!.IsNothingLeft);
        Assert.Equal(slowTask.Item, afterExpiry.Item);
        var (items, assignments) = await world.SnapshotAsync();
        Assert.Equal(AssignmentStatus.Expired, assignments.Single(a => a.Id == slowTask.AssignmentId).Status);
        Assert.Equal(1, Assert.Single(items).Claimed);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ExpireLeases_FreesEndedLeasesInEveryTenant_AndLeavesLiveOnes(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 2, redundancy: 1, configure: p => p.LeaseMinutes = 10);
        var beta = await Scenario.CreateTenantAsync(world.Services, "beta");
        var betaBatch = await WorkScenario.CreatePublishedBatchAsync(world.Services, beta, items: 2, redundancy: 1, configure: p => p.LeaseMinutes = 10);
        var acmeTask = await world.ClaimTaskAsync(world.Workers[0]);
        world.Clock.Advance(TimeSpan.FromMinutes(6));
        var betaTask = await WorkScenario.ClaimTaskAsync(world.Services, betaBatch, world.Workers[1]);

        world.Clock.Advance(TimeSpan.FromMinutes(5));
        var firstRun = await ExpireAsync(world);
        var secondRun = await ExpireAsync(world);
        var late = await world.AnswerAsync(acmeTask.AssignmentId, world.Workers[0], "yes");
        world.Clock.Advance(TimeSpan.FromMinutes(6));
        var thirdRun = await ExpireAsync(world);

        Assert.Equal((1, 0, 1), (firstRun, secondRun, thirdRun));
        Assert.Equal(["Your lease on this task ended at 14:10 UTC; the task went back to the pool. Take the next task."], late.Errors[AssignmentService.LeaseErrorKey]);
        var (acmeItems, acmeAssignments) = await world.SnapshotAsync();
        var (betaItems, betaAssignments) = await WorkScenario.SnapshotAsync(world.Services, beta.TenantId, betaBatch);
        Assert.All(acmeAssignments.Concat(betaAssignments), a => Assert.Equal(AssignmentStatus.Expired, a.Status));
        Assert.All(acmeItems.Concat(betaItems), i => Assert.Equal(0, i.Claimed));
        Assert.Equal(betaTask.AssignmentId, Assert.Single(betaAssignments).Id);
    }

    [Fact]
    public async Task Jobs_RegisterTheLeaseExpiryJob_WithItsTrigger_OneSchedulerPerHost()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [JobServices.ExpireLeasesSecondsKey] = "7" }).Build();
        var services = new ServiceCollection().AddLogging().AddCrowdLabelJobs(configuration);
        await using var provider = services.BuildServiceProvider();

        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await provider.GetRequiredService<JobSchedule>().WriteAsync(scheduler);
        await using var otherHost = new ServiceCollection().AddLogging().AddCrowdLabelJobs(configuration).BuildServiceProvider();
        var otherScheduler = await otherHost.GetRequiredService<ISchedulerFactory>().GetScheduler();
        try
        {
            Assert.NotSame(scheduler, otherScheduler);
            var job = await scheduler.GetJobDetail(ExpireLeasesJob.Key);
            var trigger = Assert.IsType<ISimpleTrigger>(await scheduler.GetTrigger(ExpireLeasesJob.TriggerKey), exactMatch: false);

            Assert.Equal(typeof(ExpireLeasesJob), job!.JobType);
            Assert.Equal((TimeSpan.FromSeconds(7), -1), (trigger.RepeatInterval, trigger.RepeatCount));
            Assert.Equal(ExpireLeasesJob.Key, trigger.JobKey);
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: false);
            await otherScheduler.Shutdown(waitForJobsToComplete: false);
        }
    }

    private static Task<int> ExpireAsync(WorkWorld world) =>
        WorkScenario.EngineAsync(world.Services, e => e.ExpireLeasesAsync(world.Clock.GetUtcNow().UtcDateTime));

    private static List<string> Shape(JsonElement json) => json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
}

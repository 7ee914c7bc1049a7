using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Security;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Work;

public sealed class MarketplaceAndTokenTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Marketplace_ListsPublicBatches_AndPrivateOnesOnlyToTheirWorkforce(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 4, workers: 3);
        var (member, outsider, blocked) = (world.Workers[0], world.Workers[1], world.Workers[2]);
        await LedgerScenario.CreateDraftBatchAsync(world.Services, world.Tenant, items: 2, priceMinor: 1, maxRedundancy: 3, name: "Draft, not listed");
        var beta = await Scenario.CreateTenantAsync(world.Services, "beta");
        var privateBatch = await WorkScenario.CreatePublishedBatchAsync(world.Services, beta, items: 2,
            configure: p => (p.Visibility, p.PricePerAssignmentMinor) = (ProjectVisibility.PrivateWorkforce, 7));
        await WorkScenario.AddToWorkforceAsync(world.Services, beta, member);
        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, blocked, w => w.Status = ProjectWorkerStatus.Blocked);

        var ofMember = await ListAsync(world, member);
        var ofOutsider = await ListAsync(world, outsider);
        var ofBlocked = await ListAsync(world, blocked);

        Assert.Equal([world.BatchId, privateBatch], ofMember.Select(b => b.BatchId).Order());
        var open = Assert.Single(ofOutsider);
        Assert.Equal(
            new MarketplaceBatch(world.BatchId, "Batch of 4 + 0 gold", world.Tenant.ProjectId, "Project of acme", "Org acme", new Money(1, "USD"),
                null, 4, false, false, ProjectWorkerStatus.Active, null, HoldsLease: false),
            open);
        Assert.Equal(new Money(7, "USD"), ofMember.Single(b => b.BatchId == privateBatch).PayPerTask);
        Assert.Equal("Org beta", ofMember.Single(b => b.BatchId == privateBatch).Organization);
        Assert.Empty(ofBlocked);
    }

    [Fact]
    public async Task Marketplace_EstimatesTheTimePerTask_AsTheMedianAnswerTime_AndCountsTasksLeftForTheWorker()
    {
        await using var world = await WorkWorld.StartAsync(DatabaseProvider.Sqlite, items: 4, workers: 3);
        var (fast, slow, watcher) = (world.Workers[0], world.Workers[1], world.Workers[2]);
        var fastTask = await world.ClaimTaskAsync(fast);
        var slowTask = await world.ClaimTaskAsync(slow);
        world.Clock.Advance(TimeSpan.FromSeconds(20));
        await world.AnswerAsync(fastTask.AssignmentId, fast, "yes");
        world.Clock.Advance(TimeSpan.FromSeconds(40));
        await world.AnswerAsync(slowTask.AssignmentId, slow, "no");

        var ofFast = Assert.Single(await ListAsync(world, fast));
        var ofWatcher = Assert.Single(await ListAsync(world, watcher));

        Assert.Equal(TimeSpan.FromSeconds(40), ofWatcher.EstimatedTimePerTask);
        Assert.Equal((3, 4), (ofFast.TasksLeft, ofWatcher.TasksLeft));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Marketplace_LeavesOutABatchWithNothingForTheWorker_ButNotForOneWithALeaseOrPaused(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 2, redundancy: 1, workers: 3);
        var (first, second, late) = (world.Workers[0], world.Workers[1], world.Workers[2]);
        var answered = await world.ClaimTaskAsync(first);
        await world.AnswerAsync(answered.AssignmentId, first, "yes");
        var held = await world.ClaimTaskAsync(second);

        var ofFirst = await ListAsync(world, first);
        var ofSecond = await ListAsync(world, second);
        var ofLate = await ListAsync(world, late);
        var lateClaim = await world.ClaimAsync(late);
        await WorkScenario.SetStandingAsync(world.Services, world.Tenant, late, w => (w.Status, w.StatusReason) = (ProjectWorkerStatus.Paused, "gold"));
        var ofPaused = await ListAsync(world, late);

        // Both items are taken, one answered and one leased: nobody can be given a task, but the lease can be taken up again.
        Assert.Empty(ofFirst);
        Assert.Equal((world.BatchId, 0, true), (Assert.Single(ofSecond).BatchId, ofSecond[0].TasksLeft, ofSecond[0].HoldsLease));
        Assert.Empty(ofLate);
        Assert.True(lateClaim.Succeeded && lateClaim.Value!.IsNothingLeft);
        // Paused, the same worker sees the batch again, with the reason, though it has nothing for them.
        Assert.Equal((ProjectWorkerStatus.Paused, "gold", 0), (Assert.Single(ofPaused).Standing, ofPaused[0].StandingReason, ofPaused[0].TasksLeft));
        Assert.Equal(held.AssignmentId, (await world.ClaimTaskAsync(second)).AssignmentId);
    }

    /// <summary>Counting every open item of a large batch on every page view is what this bound avoids (MarketplaceService).</summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task Marketplace_CountsTasksLeftUpToAThousand_AndSaysWhenThereAreMore(DatabaseProvider provider)
    {
        var items = MarketplaceService.TasksLeftCounted + 1;
        await using var world = await WorkWorld.StartAsync(provider, items: items, redundancy: 1, workers: 2);
        var (worker, other) = (world.Workers[0], world.Workers[1]);
        var before = Assert.Single(await ListAsync(world, worker));
        await world.ClaimTaskAsync(other);
        var after = Assert.Single(await ListAsync(world, worker));

        Assert.Equal((1000, true), (before.TasksLeft, before.MoreTasksLeft));
        Assert.Equal((1000, false), (after.TasksLeft, after.MoreTasksLeft));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Marketplace_ListsNewestBatchesFirst_APageAtATime(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 1, workers: 1);
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await WorkScenario.CreatePublishedBatchAsync(world.Services, world.Tenant, items: 1);
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        var newest = await WorkScenario.CreatePublishedBatchAsync(world.Services, world.Tenant, items: 1);

        var first = await PageAsync(world, new MarketplacePaging(1, 2));
        var last = await PageAsync(world, new MarketplacePaging(2, 2));
        var past = await PageAsync(world, new MarketplacePaging(3, 2));
        var all = await PageAsync(world, paging: null);

        Assert.Equal([newest, second], first.Batches.Select(b => b.BatchId));
        Assert.True(first.HasMore);
        Assert.Equal([world.BatchId], last.Batches.Select(b => b.BatchId));
        Assert.False(last.HasMore);
        Assert.Equal((0, false), (past.Batches.Count, past.HasMore));
        Assert.Equal((1, MarketplacePaging.DefaultPageSize, 3), (all.Page, all.PageSize, all.Batches.Count));
    }

    [Theory]
    [InlineData(null, null, 1, 50)]
    [InlineData("3", "100", 3, 100)]
    [InlineData(" ", "", 1, 50)]
    public void Paging_ReadsPageAndPageSize_WithDefaults(string? page, string? pageSize, int expectedPage, int expectedSize)
    {
        var paging = MarketplacePaging.Read(page, pageSize);

        Assert.Equal(new MarketplacePaging(expectedPage, expectedSize), paging.Value);
    }

    [Theory]
    [InlineData("0", null, "page", "page is \"0\"; give a whole number from 1 (the first page).")]
    [InlineData("two", null, "page", "page is \"two\"; give a whole number from 1 (the first page).")]
    [InlineData("-1", null, "page", "page is \"-1\"; give a whole number from 1 (the first page).")]
    [InlineData(null, "101", "pageSize", "pageSize is \"101\"; give a whole number from 1 to 100 (default 50).")]
    [InlineData(null, "0", "pageSize", "pageSize is \"0\"; give a whole number from 1 to 100 (default 50).")]
    public void Paging_RefusesWhatIsNotAPage_SayingWhatToGive(string? page, string? pageSize, string field, string message)
    {
        var paging = MarketplacePaging.Read(page, pageSize);

        Assert.False(paging.Succeeded);
        Assert.Equal([message], paging.Errors[field]);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task WorkerTokens_AreShownOnce_StoredHashed_AndStopWorkingWhenRevoked(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 1);
        var (owner, other) = (world.Workers[0], world.Workers[1]);
        await using var scope = world.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<WorkerTokenService>();

        var unnamed = await tokens.CreateAsync(owner, new WorkerTokenInput { Name = " " });
        var created = await tokens.CreateAsync(owner, new WorkerTokenInput { Name = "labeling script" });
        var secret = created.Value!.Secret;
        var found = await tokens.FindActiveAsync(secret);
        var revokedByOther = await tokens.RevokeAsync(other, created.Value.Token.Id);
        var revoked = await tokens.RevokeAsync(owner, created.Value.Token.Id);

        Assert.Equal(["Name the token after the script or tool that uses it, like \"labeling script\"."], unnamed.Errors[nameof(WorkerTokenInput.Name)]);
        Assert.StartsWith(WorkerTokenService.SecretPrefix, secret, StringComparison.Ordinal);
        var stored = await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().WorkerTokens.AsNoTracking().SingleAsync();
        Assert.Equal((SecretHasher.Hash(secret), secret[..12], "labeling script"), (stored.TokenHash, stored.Prefix, stored.Name));
        Assert.DoesNotContain(secret, stored.TokenHash, StringComparison.Ordinal);
        Assert.Equal(owner, found!.WorkerId);
        Assert.True(revokedByOther.IsNotFound);
        Assert.Equal(WorkWorld.Start.UtcDateTime, revoked.Value!.RevokedAt);
        Assert.Null(await tokens.FindActiveAsync(secret));
        Assert.Null(await tokens.FindActiveAsync("clw_unknown"));
        Assert.Equal([created.Value.Token.Id], (await tokens.ListAsync(owner)).Select(t => t.Id));
        Assert.Empty(await tokens.ListAsync(other));
    }

    private static async Task<IReadOnlyList<MarketplaceBatch>> ListAsync(WorkWorld world, Guid workerId) =>
        (await PageAsync(world, paging: null, workerId)).Batches;

    private static async Task<MarketplacePage> PageAsync(WorkWorld world, MarketplacePaging? paging, Guid? workerId = null)
    {
        await using var scope = world.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MarketplaceService>().ListBatchesAsync(workerId ?? world.Workers[0], paging);
    }
}

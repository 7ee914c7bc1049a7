using System.Text;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Qualification;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CrowdLabel.Core.Tests.Qualification;

public sealed class QualificationTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A published batch with four gold items (yes, no, yes, no) and a 4-item test at pass mark 0.75.</summary>
    private static async Task<(TenantFixture Tenant, Guid WorkerId)> ArrangeAsync(IServiceProvider services)
    {
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
            var project = await db.Projects.SingleAsync();
            (project.QualificationItemCount, project.QualificationPassMark, project.QualificationRetryHours, project.PricePerAssignmentMinor) = (4, 0.75, 24, 1);
            await db.SaveChangesAsync();
            var csv = "text,gold\nq1,yes\nq2,no\nplain,\nq3,yes\nq4,no\nq5,yes\n";
            var batch = await scope.ServiceProvider.GetRequiredService<ImportService>()
                .ImportAsync(new ImportRequest(tenant.ProjectId, "with gold", ImportFormat.Csv, new MemoryStream(Encoding.UTF8.GetBytes(csv))));
            await LedgerScenario.CreditAsync(services, tenant.TenantId, 10_000);
            Assert.True((await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().PublishAsync(batch.Value!.Id, tenant.OwnerId)).Succeeded);
        }

        await using var workerScope = services.CreateAsyncScope();
        var worker = await workerScope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
        {
            Email = "wade@crowd.test", DisplayName = "Wade", Password = Scenario.Password, ConfirmPassword = Scenario.Password, Kind = AccountKind.Worker,
        });
        return (tenant, worker.Value!.User.Id);
    }

    private static async Task<Result<QualificationOutcome>> SubmitAsync(IServiceProvider services, TenantFixture tenant, Guid workerId, params string[] labels)
    {
        await using var scope = services.CreateAsyncScope();
        var qualification = scope.ServiceProvider.GetRequiredService<QualificationService>();
        var test = await qualification.GetTestAsync(tenant.ProjectId, workerId);
        Assert.True(test.Succeeded, string.Join("; ", test.Errors.SelectMany(e => e.Value)));
        var answers = test.Value!.Items.Zip(labels).ToDictionary(p => p.First.ItemId, p => p.Second);
        return await qualification.SubmitAsync(tenant.ProjectId, workerId, answers);
    }

    private static async Task<Result<QualificationTest>> GetTestAsync(IServiceProvider services, TenantFixture tenant, Guid workerId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<QualificationService>().GetTestAsync(tenant.ProjectId, workerId);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Worker_PassesAtThePassMark_AndIsQualified(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database, new FakeTimeProvider(Start));
        var (tenant, workerId) = await ArrangeAsync(services);

        var test = await GetTestAsync(services, tenant, workerId);
        var outcome = await SubmitAsync(services, tenant, workerId, "yes", "no", "yes", "yes");

        Assert.Equal(["q1", "q2", "q3", "q4"], test.Value!.Items.Select(i => i.Fields["text"]));
        Assert.All(test.Value.Items, i => Assert.False(i.Fields.ContainsKey("gold")));
        Assert.Equal((3, 4, true), (outcome.Value!.Correct, outcome.Value.Total, outcome.Value.Passed));
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var standing = await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().ProjectWorkers.SingleAsync();
        Assert.Equal(Start.UtcDateTime, standing.QualifiedAt);
        Assert.Contains("already passed", Assert.Single((await GetTestAsync(services, tenant, workerId)).Errors[""]), StringComparison.Ordinal);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AfterTheTest_ItsItemsAreNeverServedAsGoldTasks_TheOtherGoldIs(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database, new FakeTimeProvider(Start));
        var (tenant, workerId) = await ArrangeAsync(services);
        // Gold is always due: every task the worker may have as gold comes as gold first.
        await WorkScenario.UpdateProjectAsync(services, tenant, p => p.GoldRatio = 1);
        Assert.True((await SubmitAsync(services, tenant, workerId, "yes", "no", "yes", "no")).Value!.Passed);
        Guid batchId;
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            batchId = await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Batches.Select(b => b.Id).SingleAsync();
        }

        var served = new List<string>();
        while ((await WorkScenario.ClaimAsync(services, batchId, workerId)).Value?.Task is { } task)
        {
            served.Add(task.Item["text"]);
            Assert.True((await WorkScenario.AnswerAsync(services, task.AssignmentId, workerId, "yes")).Succeeded);
        }

        Assert.Equal(["q5", "plain"], served);
    }

    /// <summary>
    /// The test is the project's first gold items in the order its batches were published, so a batch published later
    /// (even one drafted earlier) only adds after them: the items workers were tested on stay the test, and stay out of
    /// the gold tasks served to those who passed.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task TestItems_StayTheSame_WhenABatchDraftedEarlierIsPublishedLater(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database, new FakeTimeProvider(Start));
        var (tenant, workerId) = await ArrangeAsync(services);
        var before = await GetTestAsync(services, tenant, workerId);
        await LedgerScenario.CreditAsync(services, tenant.TenantId, 10_000);
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var csv = "text,gold\ne1,no\ne2,no\ne3,no\ne4,no\n";
            var draft = await scope.ServiceProvider.GetRequiredService<ImportService>()
                .ImportAsync(new ImportRequest(tenant.ProjectId, "drafted first", ImportFormat.Csv, new MemoryStream(Encoding.UTF8.GetBytes(csv))));
            var draftId = draft.Value!.Id;
            await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Batches.Where(b => b.Id == draftId)
                .ExecuteUpdateAsync(u => u.SetProperty(b => b.CreatedAt, Start.UtcDateTime.AddDays(-1)));
            Assert.True((await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().PublishAsync(draftId, tenant.OwnerId)).Succeeded);
        }

        var after = await GetTestAsync(services, tenant, workerId);

        Assert.Equal(["q1", "q2", "q3", "q4"], before.Value!.Items.Select(i => i.Fields["text"]));
        Assert.Equal(before.Value.Items.Select(i => i.ItemId), after.Value!.Items.Select(i => i.ItemId));
    }

    [Fact]
    public async Task BlockedWorker_IsRefusedTheTest_WithTheBlockReason_AndNothingIsStored()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database, new FakeTimeProvider(Start));
        var (tenant, workerId) = await ArrangeAsync(services);
        await WorkScenario.SetStandingAsync(services, tenant, workerId, w => (w.Status, w.StatusReason) = (ProjectWorkerStatus.Blocked, "copied answers"));

        var test = await GetTestAsync(services, tenant, workerId);

        Assert.Equal(["You are blocked from the project \"Project of acme\": copied answers."], test.Errors[""]);
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        Assert.Equal(0, await db.QualificationAttempts.CountAsync());
        Assert.Null((await db.ProjectWorkers.SingleAsync()).QualifiedAt);
    }

    [Fact]
    public async Task Worker_WhoFails_RetriesOnlyAfterTheWait()
    {
        var clock = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database, clock);
        var (tenant, workerId) = await ArrangeAsync(services);

        var failed = await SubmitAsync(services, tenant, workerId, "no", "no", "no", "no");
        var tooSoon = await GetTestAsync(services, tenant, workerId);
        clock.Advance(TimeSpan.FromHours(24));
        var retried = await SubmitAsync(services, tenant, workerId, "yes", "no", "yes", "no");

        Assert.Equal((2, false, Start.UtcDateTime.AddHours(24)), (failed.Value!.Correct, failed.Value.Passed, failed.Value.RetryAt));
        Assert.Contains("retry the qualification test", Assert.Single(tooSoon.Errors[""]), StringComparison.Ordinal);
        Assert.True(retried.Value!.Passed);
    }

    [Fact]
    public async Task UnansweredOrUnknownLabels_AreRefusedPerItem_AndNothingIsStored()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database, new FakeTimeProvider(Start));
        var (tenant, workerId) = await ArrangeAsync(services);

        var result = await SubmitAsync(services, tenant, workerId, "yes", "maybe");

        Assert.Equal(3, result.Errors.Count);
        Assert.Equal(2, result.Errors.Values.Count(m => m[0] == "Answer this item."));
        Assert.Contains(result.Errors.Values, m => m[0].Contains("\"maybe\" is not one of the labels", StringComparison.Ordinal));
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().QualificationAttempts.CountAsync());
    }

    [Fact]
    public async Task PrivateProject_IsNotFound_ForAWorkerOutsideTheWorkforce()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database, new FakeTimeProvider(Start));
        var (tenant, workerId) = await ArrangeAsync(services);
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            (await db.Projects.SingleAsync()).Visibility = ProjectVisibility.PrivateWorkforce;
            await db.SaveChangesAsync();
        }

        Assert.True((await GetTestAsync(services, tenant, workerId)).IsNotFound);
    }
}

using System.Text;
using CrowdLabel.Browser.Tests.Support;
using CrowdLabel.Core;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Data;
using CrowdLabel.Core.Quality;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CrowdLabel.Browser.Tests;

public sealed class ReviewFlowTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task Reviewer_ResolvesADisputedItem_AndTheBatchPageShowsItResolved()
    {
        var (site, address) = await Site.StartLiveAsync(DatabaseProvider.Sqlite);
        await using var _ = site;
        var (tenant, batchId) = await DisputedBatchAsync(site.Services);

        await using var context = await chromium.NewContextAsync(address);
        var page = await context.NewPageAsync();
        await page.SignInAsync(tenant.OwnerEmail, Scenario.Password);

        // The queue holds the one disputed item; its page shows the answer, the posterior and the decision form.
        await page.GotoAsync($"/t/{tenant.Slug}/review?batchId={batchId}");
        await Assertions.Expect(page.Locator("#review-queue tbody tr")).ToHaveCountAsync(1);
        await page.Locator(".review-link").ClickAsync();
        await Assertions.Expect(page.Locator("#item-status")).ToHaveTextAsync("Disputed");
        await Assertions.Expect(page.Locator("#item")).ToContainTextAsync("a hard one");
        await Assertions.Expect(page.Locator("#answers tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#posterior")).ToBeVisibleAsync();
        await page.Locator("#final-label").SelectOptionAsync("no");
        await page.GetByLabel("Note (optional)").FillAsync("Looked at the source.");
        await page.Locator("#resolve").ClickAsync();
        await Assertions.Expect(page.Locator("#review-message")).ToContainTextAsync("Resolved as \"no\"");
        await Assertions.Expect(page.Locator("#item-status")).ToHaveTextAsync("Resolved");
        // The decision says who made it, when, and what it replaced.
        await Assertions.Expect(page.Locator("#decisions li")).ToContainTextAsync($"UTC, {tenant.OwnerEmail}: ");
        await Assertions.Expect(page.Locator("#decisions li")).ToContainTextAsync("(Disputed) → \"no\": Looked at the source.");

        await page.GotoAsync($"/t/{tenant.Slug}/batches/{batchId}");
        await Assertions.Expect(page.Locator("#item-counts tbody td").Nth(3)).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#item-counts tbody td").Nth(2)).ToHaveTextAsync("0");
        await page.GotoAsync($"/t/{tenant.Slug}/batches/{batchId}/results");
        await Assertions.Expect(page.Locator("#results tbody tr").First).ToContainTextAsync("Resolved");
        await Assertions.Expect(page.Locator("#results tbody tr").First).ToContainTextAsync(tenant.OwnerEmail);
        await Assertions.Expect(page.Locator("#results tbody tr .fields").First).ToContainTextAsync("text: a hard one");
    }

    /// <summary>A published batch of one item with redundancy 1 and an unreachable confidence target: one answer, then consensus disputes it.</summary>
    private static async Task<(TenantFixture Tenant, Guid BatchId)> DisputedBatchAsync(IServiceProvider services)
    {
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        Guid batchId;
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            var project = await db.Projects.SingleAsync();
            (project.BaseRedundancy, project.MaxRedundancy, project.ConfidenceTarget, project.GoldRatio, project.PricePerAssignmentMinor) = (1, 1, 0.999, 0, 2);
            await db.SaveChangesAsync();
            var batch = await scope.ServiceProvider.GetRequiredService<ImportService>()
                .ImportAsync(new ImportRequest(project.Id, "hard items", ImportFormat.Csv, new MemoryStream(Encoding.UTF8.GetBytes("text\na hard one\n"))));
            batchId = batch.Value!.Id;
            await LedgerScenario.CreditAsync(services, tenant.TenantId, 10_000);
            Assert.True((await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().PublishAsync(batchId, tenant.OwnerId)).Succeeded);
        }

        var worker = (await WorkScenario.CreateWorkersAsync(services, 1))[0];
        var task = await WorkScenario.ClaimTaskAsync(services, batchId, worker);
        Assert.True((await WorkScenario.AnswerAsync(services, task.AssignmentId, worker, "yes")).Succeeded);
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            var run = await scope.ServiceProvider.GetRequiredService<ConsensusService>().RunBatchAsync(batchId);
            Assert.Equal(1, run.Value!.Disputed);
        }

        return (tenant, batchId);
    }
}

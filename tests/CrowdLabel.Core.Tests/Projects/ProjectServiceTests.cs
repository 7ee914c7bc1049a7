using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Projects;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Projects;

public sealed class ProjectServiceTests
{
    private static ProjectInput Input(params string[] labels) => new()
    {
        Name = "Sentiment", PricePerAssignmentMinor = 5, Labels = labels.Select(l => new LabelInput { Name = l }).ToList(),
    };

    private static async Task<Result<Project>> UpdateAsync(IServiceProvider services, TenantFixture tenant, ProjectInput input)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        return await scope.ServiceProvider.GetRequiredService<ProjectService>().UpdateAsync(tenant.ProjectId, input);
    }

    private static async Task<List<(int Version, string Name)>> LabelsAsync(IServiceProvider services, TenantFixture tenant)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        return (await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().ProjectLabels
                .OrderBy(l => l.ProjectVersion).ThenBy(l => l.Ordinal).ToListAsync())
            .Select(l => (l.ProjectVersion, l.Name)).ToList();
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ChangingLabels_BeforeAnyPublish_EditsTheOnlyVersion(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");

        var result = await UpdateAsync(services, tenant, Input("yes", "no", "unsure"));

        Assert.Equal(1, result.Value!.Version);
        Assert.Equal([(1, "yes"), (1, "no"), (1, "unsure")], await LabelsAsync(services, tenant));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ChangingLabels_AfterAPublish_MakesANewVersion_AndKeepsTheOld(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var batchId = await LedgerScenario.CreateDraftBatchAsync(services, tenant, items: 2, priceMinor: 5);
        await LedgerScenario.CreditAsync(services, tenant.TenantId, 1_000);
        await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().PublishAsync(batchId, tenant.OwnerId)).Succeeded);
        }

        var renamedOnly = await UpdateAsync(services, tenant, Input("yes", "no") with { Name = "Renamed" });
        var relabelled = await UpdateAsync(services, tenant, Input("yes", "no", "unsure"));

        Assert.Equal(1, renamedOnly.Value!.Version);
        Assert.Equal(2, relabelled.Value!.Version);
        Assert.Equal([(1, "yes"), (1, "no"), (2, "yes"), (2, "no"), (2, "unsure")], await LabelsAsync(services, tenant));
        await using var check = Scenario.TenantScope(services, tenant.TenantId);
        Assert.Equal(1, (await check.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Batches.SingleAsync()).ProjectVersion);
    }

    [Fact]
    public void ItemTemplate_EncodesValues_AndOnlyShowsWebMedia()
    {
        var template = ItemTemplate.Parse("<b>{{text}}</b> {{image url}} {{audio clip}}");

        var html = template.Render(new Dictionary<string, string>
        {
            ["text"] = "<script>alert('x')</script>", ["url"] = "javascript:alert(1)", ["clip"] = "https://example.org/a.mp3",
        });

        Assert.Equal(["text", "url", "clip"], template.Fields);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.Contains("<audio class=\"item-media\" controls src=\"https://example.org/a.mp3\"></audio>", html, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;

namespace CrowdLabel.Web.Tests.Ledger;

public sealed class BatchLifecycleApiTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Api_PublishesPausesResumesAndCancels_WithATenantKey(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var (a, batchId, api) = await FundedDraftAsync(site, 5000);

        var published = await PostAsync(api, batchId, "publish");
        var paused = await PostAsync(api, batchId, "pause");
        var resumed = await PostAsync(api, batchId, "resume");
        var balanceWhilePublished = await LedgerScenario.BalanceAsync(site.Services, a.TenantId);
        var cancelled = await PostAsync(api, batchId, "cancel");

        Assert.Equal(("Published", 3600L, 3600L), await StatusAsync(published));
        Assert.Equal("Paused", (await StatusAsync(paused)).Status);
        Assert.Equal("Published", (await StatusAsync(resumed)).Status);
        Assert.Equal(new Money(1400, "USD"), balanceWhilePublished);
        Assert.Equal(("Cancelled", 3600L, 0L), await StatusAsync(cancelled));
        Assert.Equal(new Money(5000, "USD"), await LedgerScenario.BalanceAsync(site.Services, a.TenantId));
        await LedgerScenario.AssertInvariantsAsync(site.Services);
    }

    [Fact]
    public async Task Api_PublishWhenTheBalanceIsShort_AnswersProblemDetails_WithTheMessageInTheErrorsMap()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var (a, batchId, api) = await FundedDraftAsync(site, 1200);

        var refused = await PostAsync(api, batchId, "publish");
        var wrongState = await PostAsync(api, batchId, "resume");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        const string message = "The balance is 12.00 USD; publishing this batch needs 36.00 USD. Add funds first.";
        Assert.Equal(message, problem.GetProperty("errors").GetProperty("batch")[0].GetString());
        Assert.Equal(message, problem.GetProperty("detail").GetString());
        Assert.Equal("The batch was not published.", problem.GetProperty("title").GetString());
        var stateProblem = await wrongState.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Conflict, wrongState.StatusCode);
        Assert.Equal("Only a paused batch can be resumed; this one is Draft.", stateProblem.GetProperty("errors").GetProperty("batch")[0].GetString());
        Assert.Equal(new Money(1200, "USD"), await LedgerScenario.BalanceAsync(site.Services, a.TenantId));
        await LedgerScenario.AssertInvariantsAsync(site.Services);
    }

    [Fact]
    public async Task Api_BatchOfAnotherTenant_IsNotFound_AndKeepsItsState()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(site.Services, "tenant-b");
        var batchOfB = await LedgerScenario.CreateDraftBatchAsync(site.Services, b, items: 2);
        await LedgerScenario.CreditAsync(site.Services, a.TenantId, 5000);
        await LedgerScenario.CreditAsync(site.Services, b.TenantId, 5000);
        var apiOfA = Api(site, a.ApiKey);

        foreach (var action in new[] { "publish", "pause", "resume", "cancel" })
        {
            var response = await PostAsync(apiOfA, batchOfB, action);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(apiOfA, Guid.CreateVersion7(), "publish")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(site.CreateClient(), batchOfB, "publish")).StatusCode);
        var ofB = await PostAsync(Api(site, b.ApiKey), batchOfB, "publish");
        Assert.Equal("Published", (await StatusAsync(ofB)).Status);
        await LedgerScenario.AssertInvariantsAsync(site.Services);
    }

    /// <summary>A tenant with a balance, a draft of 10 items at 1.00 and max redundancy 3 (36.00 to publish), and its API client.</summary>
    private static async Task<(TenantFixture Tenant, Guid BatchId, HttpClient Api)> FundedDraftAsync(Site site, long balanceMinor)
    {
        var tenant = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var batchId = await LedgerScenario.CreateDraftBatchAsync(site.Services, tenant, items: 10, priceMinor: 100, maxRedundancy: 3);
        await LedgerScenario.CreditAsync(site.Services, tenant.TenantId, balanceMinor);
        return (tenant, batchId, Api(site, tenant.ApiKey));
    }

    private static HttpClient Api(Site site, string key)
    {
        var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return api;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient api, Guid batchId, string action) =>
        api.PostAsync(new Uri($"/api/v1/batches/{batchId}/{action}", UriKind.Relative), content: null);

    private static async Task<(string Status, long CommittedMinor, long RemainingMinor)> StatusAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage!.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var status = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (status.GetProperty("status").GetString()!, status.GetProperty("committedMinor").GetInt64(), status.GetProperty("remainingMinor").GetInt64());
    }
}

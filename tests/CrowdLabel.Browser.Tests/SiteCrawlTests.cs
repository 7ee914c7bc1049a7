using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdLabel.Browser.Tests.Support;
using CrowdLabel.Core.Quality;
using CrowdLabel.Data;
using CrowdLabel.Data.Seeding;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CrowdLabel.Browser.Tests;

/// <summary>
/// Every page a demo account can reach by following the site's own links opens without an error: no status of 400 or
/// more, no script error, nothing the browser failed to load. The demo is what a newcomer sees first; the demo batch is
/// partly answered and its consensus run first, so the pages show answers, labels and quality figures.
/// </summary>
public sealed class SiteCrawlTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    /// <summary>Pages visited per account at most; the demo's link graph has fewer.</summary>
    private const int MaxPages = 60;

    [Fact]
    public async Task EveryPageADemoAccountCanReach_OpensWithoutAnError()
    {
        var (site, address) = await Site.StartLiveAsync(DatabaseProvider.Sqlite, environment: "Development", seedDemo: true);
        await using var _ = site;
        await AnswerSomeDemoTasksAsync(site, address);

        var problems = new List<string>();
        var visitedByAccount = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var email in new[] { "admin@crowdlabel.local", "requester@demo.local", "reviewer@demo.local", "worker1@demo.local" })
        {
            await using var context = await chromium.NewContextAsync(address);
            var page = await context.NewPageAsync();
            var current = "";
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    problems.Add($"{email} {current}: console error: {message.Text} ({message.Location})");
                }
            };
            page.PageError += (_, error) => problems.Add($"{email} {current}: script error: {error}");
            page.RequestFailed += (_, request) => problems.Add($"{email} {current}: could not load {request.Url}: {request.Failure}");
            await page.SignInAsync(email, DemoSeed.Password);

            var queue = new Queue<string>([new Uri(page.Url).PathAndQuery]);
            var linkedFrom = queue.ToDictionary(p => p, _ => "sign-in", StringComparer.Ordinal);
            var visited = 0;
            while (queue.Count > 0 && visited < MaxPages)
            {
                current = queue.Dequeue();
                var response = await page.GotoAsync(current);
                visited++;
                if (response is null || response.Status >= 400)
                {
                    problems.Add($"{email} {current} (linked from {linkedFrom[current]}): status {response?.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
                    continue;
                }

                var links = await page.Locator("a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
                foreach (var link in links.Where(Followable).Select(l => l.Split('#')[0]))
                {
                    if (linkedFrom.TryAdd(link, current))
                    {
                        queue.Enqueue(link);
                    }
                }
            }

            visitedByAccount[email] = visited;
            output.WriteLine($"{email}: {visited} pages, {linkedFrom.Count} links found: {string.Join(' ', linkedFrom.Keys)}");
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        // The crawl really went through the site: each account reached several pages, not only the one after sign-in.
        Assert.All(visitedByAccount, v => Assert.True(v.Value >= 4, $"{v.Key} reached only {v.Value} pages."));
    }

    /// <summary>A link inside the site that a GET may follow: not another site, not a download, not signing out.</summary>
    private static bool Followable(string href) =>
        href.StartsWith('/') && !href.StartsWith("//", StringComparison.Ordinal) &&
        !href.Contains("handler=export", StringComparison.OrdinalIgnoreCase) &&
        !href.Contains("/account/logout", StringComparison.OrdinalIgnoreCase) &&
        !href.StartsWith("/api/", StringComparison.Ordinal) && !href.StartsWith("/openapi/", StringComparison.Ordinal);

    /// <summary>Each demo worker answers a few tasks of the demo batch through the worker API; then consensus runs once.</summary>
    private static async Task AnswerSomeDemoTasksAsync(Site site, Uri address)
    {
        Guid batchId = Guid.Empty;
        foreach (var token in DemoSeed.WorkerTokens.Values)
        {
            using var api = new HttpClient { BaseAddress = address };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            batchId = (await api.GetFromJsonAsync<JsonElement>("/api/v1/work/batches"))[0].GetProperty("batchId").GetGuid();
            for (var n = 0; n < 4; n++)
            {
                using var claimed = await api.PostAsync(new Uri($"/api/v1/work/batches/{batchId}/claim", UriKind.Relative), content: null);
                Assert.True(claimed.IsSuccessStatusCode, await claimed.Content.ReadAsStringAsync());
                var task = await claimed.Content.ReadFromJsonAsync<JsonElement>();
                var label = task.GetProperty("labels")[0].GetProperty("name").GetString();
                using var answered = await api.PostAsJsonAsync(new Uri($"/api/v1/work/assignments/{task.GetProperty("assignmentId").GetGuid()}/answer", UriKind.Relative), new { label });
                Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
            }
        }

        Guid tenantId;
        await using (var scope = site.Services.CreateAsyncScope())
        {
            tenantId = await scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().Batches.IgnoreQueryFilters()
                .Where(b => b.Id == batchId).Select(b => b.TenantId).SingleAsync();
        }

        await using var tenantScope = Scenario.TenantScope(site.Services, tenantId);
        Assert.True((await tenantScope.ServiceProvider.GetRequiredService<ConsensusService>().RunBatchAsync(batchId)).Succeeded);
    }
}

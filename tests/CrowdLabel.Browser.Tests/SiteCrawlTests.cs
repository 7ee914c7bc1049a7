using CrowdLabel.Browser.Tests.Support;
using CrowdLabel.Data;
using CrowdLabel.Data.Seeding;
using CrowdLabel.Web.Tests.Support;
using Xunit.Abstractions;

namespace CrowdLabel.Browser.Tests;

/// <summary>
/// Every page a demo account can reach by following the site's own links opens without an error: no status of 400 or
/// more, no script error, nothing the browser failed to load. The demo is what a newcomer sees first; its second batch
/// is answered and its consensus run by the seed, so the pages show answers, labels, disputes and quality figures.
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
}

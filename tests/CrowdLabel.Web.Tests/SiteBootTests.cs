using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Data.Seeding;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests;

public sealed class SiteBootTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Site_Boots_AndServesTheHomePageAndHealth(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider, environment: "Development", seedDemo: true);
        var client = site.Browser();

        var home = await client.GetAsync("/");
        var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync();
        Assert.Contains("Demo accounts", html, StringComparison.Ordinal);
        Assert.Contains(DemoSeed.Accounts[3].Email, html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HomePage_OutsideDevelopment_DoesNotListDemoAccounts()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite, environment: "Production", seedDemo: true);

        var html = await (await site.Browser().GetAsync("/")).Content.ReadAsStringAsync();

        Assert.DoesNotContain("Demo accounts", html, StringComparison.Ordinal);
        Assert.DoesNotContain(DemoSeed.Password, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoSeed_SignsInAndShowsTheDemoProject()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite, environment: "Development", seedDemo: true);
        var client = site.Browser();

        var signIn = await client.SignInAsync(DemoSeed.Accounts[1].Email, DemoSeed.Password);
        var dashboard = await client.GetAsync($"/t/{DemoSeed.TenantSlug}");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("Movie review sentiment", html, StringComparison.Ordinal);
        Assert.Contains("<td>12</td>", html, StringComparison.Ordinal);
        Assert.Contains("Support ticket routing", html, StringComparison.Ordinal);
    }

    /// <summary>
    /// The demo's second batch was answered by the three demo workers through the assignment engine and consensus ran
    /// over it: every ticket has its three answers and a label, some are done and some wait for the reviewer, the
    /// answers wait for approval, and a demo worker's marketplace leaves it out, as it has nothing left for them.
    /// </summary>
    [Fact]
    public async Task DemoSeed_AnswersTheTicketBatch_SoItHasLabelsDisputesAndAnswersToApprove()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite, environment: "Development", seedDemo: true);
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        var batch = await db.Batches.IgnoreQueryFilters().SingleAsync(b => b.Name == "Tickets, answered by the demo crowd");
        var items = await db.Items.IgnoreQueryFilters().Where(i => i.BatchId == batch.Id).ToListAsync();
        var answers = await db.Assignments.IgnoreQueryFilters().Where(a => a.BatchId == batch.Id).ToListAsync();
        var worker = site.Browser();
        await worker.SignInAsync(DemoSeed.Accounts[3].Email, DemoSeed.Password);
        var marketplace = await (await worker.GetAsync("/work")).Content.ReadAsStringAsync();

        Assert.Equal(6, items.Count);
        Assert.All(items, i => Assert.Equal((3, true), (i.AnswerCount, i.ConsensusLabel is not null)));
        Assert.Contains(items, i => i.Status == ItemStatus.Done);
        Assert.Contains(items, i => i.Status == ItemStatus.Disputed);
        Assert.Equal(18, answers.Count);
        Assert.All(answers, a => Assert.Equal(AssignmentStatus.Submitted, a.Status));
        Assert.Equal(3, answers.Select(a => a.WorkerId).Distinct().Count());
        Assert.DoesNotContain("Tickets, answered by the demo crowd", marketplace, StringComparison.Ordinal);
        Assert.Matches("Reviews, first 12.*?>Start</a>", marketplace.ReplaceLineEndings(" "));
    }

    [Fact]
    public async Task OpenApiDocument_IsServed()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);

        var response = await site.Browser().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        var upload = document.GetProperty("paths").GetProperty("/api/v1/projects/{projectId}/batches").GetProperty("post");
        Assert.Equal(["text/csv", "application/jsonl", "application/x-ndjson", "application/json"],
            upload.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(c => c.Name));
    }
}

public sealed class CommandLineTests
{
    private static async Task<(int ExitCode, string Output)> RunSiteAsync(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CrowdLabel.Web.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task UnknownProvider_StopsTheSite_WithAMessageNamingIt()
    {
        var (exitCode, output) = await RunSiteAsync(new Dictionary<string, string> { ["Database__Provider"] = "Oracle" });

        Assert.Equal(2, exitCode);
        Assert.Contains("Database:Provider is \"Oracle\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsOutsideTheirRules_StopTheSite_BeforeTheDatabase_NamingEachOne()
    {
        var (exitCode, output) = await RunSiteAsync(new Dictionary<string, string>
        {
            ["RateLimits__WorkApi__RequestsPerSecond"] = "-1", ["Quality__AnswerCacheSize"] = "-5", ["Quality__WritePause"] = "-00:00:01",
            ["Quality__QaSampleRate"] = "5", ["Quality__MinGoldAnswersBeforePause"] = "0", ["Quality__AnswerSettleTime"] = "01:00:00", ["DataFolder"] = Path.Combine(Path.GetTempPath(), $"cl-settings-{Guid.NewGuid():N}"),
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("CrowdLabel cannot start:", output, StringComparison.Ordinal);
        Assert.Contains("RateLimits:WorkApi:RequestsPerSecond and :Burst must be 0 or more (0 requests a second: no limit).", output, StringComparison.Ordinal);
        Assert.Contains("Quality:AnswerCacheSize must be 0 (no cache) or more.", output, StringComparison.Ordinal);
        Assert.Contains("Quality:WritePause must be a time from 00:00:00 (no pause) to 00:01:00", output, StringComparison.Ordinal);
        Assert.Contains("Quality:QaSampleRate is a share of each label's accepted items, from 0 to 1", output, StringComparison.Ordinal);
        Assert.Contains("Quality:MinGoldAnswersBeforePause must be 1 or more", output, StringComparison.Ordinal);
        Assert.Contains("Quality:AnswerSettleTime must be a time from 00:00:00 to 00:10:00", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConnectionString_StopsTheSite_WithAMessageNamingIt()
    {
        var (exitCode, output) = await RunSiteAsync(new Dictionary<string, string> { ["Database__Provider"] = "Postgres" });

        Assert.Equal(2, exitCode);
        Assert.Contains("ConnectionStrings:CrowdLabel is missing", output, StringComparison.Ordinal);
    }

    [Theory, OnPostgres]
    public async Task DatabaseWithoutThisReleasesMigrations_StopsTheSite_SayingToMigrate(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        var (exitCode, output) = await RunSiteAsync(new Dictionary<string, string>
        {
            ["Database__Provider"] = provider.ToString(),
            ["ConnectionStrings__CrowdLabel"] = database.ConnectionString,
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("database lacks", output, StringComparison.Ordinal);
        Assert.Contains("Run `dotnet CrowdLabel.Web.dll migrate` once", output, StringComparison.Ordinal);
    }

    [Theory, OnPostgres]
    public async Task DatabaseThatCannotBeReached_StopsTheSite_SayingWhatToCheck(DatabaseProvider provider)
    {
        // Nothing listens on port 1 of this machine.
        var elsewhere = new Npgsql.NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Port = 1, Timeout = 5 };

        var (exitCode, output) = await RunSiteAsync(new Dictionary<string, string>
        {
            ["Database__Provider"] = provider.ToString(),
            ["ConnectionStrings__CrowdLabel"] = elsewhere.ConnectionString,
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("database could not be reached", output, StringComparison.Ordinal);
        Assert.Contains("Check ConnectionStrings:CrowdLabel and that the server is running", output, StringComparison.Ordinal);
    }

    [Theory, OnPostgres]
    public async Task MigrateCommand_CreatesTheSchema_AndExits(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);

        var (exitCode, output) = await RunSiteAsync(new Dictionary<string, string>
        {
            ["Database__Provider"] = provider.ToString(),
            ["ConnectionStrings__CrowdLabel"] = database.ConnectionString,
        }, "migrate");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Migrated the Postgres database", output, StringComparison.Ordinal);
        await using var services = await AppServices.CreateAsync(database);
        Assert.NotNull(await Scenario.CreateTenantAsync(services, "after-migrate"));
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdLabel.Data;
using CrowdLabel.Data.Seeding;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;

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
            ["RateLimits__WorkApi__RequestsPerSecond"] = "-1", ["Quality__AnswerCacheSize"] = "-5", ["DataFolder"] = Path.Combine(Path.GetTempPath(), $"cl-settings-{Guid.NewGuid():N}"),
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("CrowdLabel cannot start:", output, StringComparison.Ordinal);
        Assert.Contains("RateLimits:WorkApi:RequestsPerSecond and :Burst must be 0 or more (0 requests a second: no limit).", output, StringComparison.Ordinal);
        Assert.Contains("Quality:AnswerCacheSize must be 0 (no cache) or more.", output, StringComparison.Ordinal);
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

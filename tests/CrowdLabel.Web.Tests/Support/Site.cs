using System.Net;
using System.Text.RegularExpressions;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CrowdLabel.Web.Tests.Support;

/// <summary>The real site, booted in memory over a fresh database of one provider.</summary>
public sealed class Site : WebApplicationFactory<Program>
{
    private readonly TestDatabase _database;
    private readonly string _environment;
    private readonly bool _seedDemo;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private Site(TestDatabase database, string environment, bool seedDemo, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _database = database;
        _environment = environment;
        _seedDemo = seedDemo;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public DatabaseProvider Provider => _database.Provider;

    public static async Task<Site> StartAsync(DatabaseProvider provider, string environment = "Testing", bool seedDemo = false)
    {
        var site = new Site(await TestDatabase.CreateAsync(provider), environment, seedDemo);
        _ = site.Services; // boots the host: migrations and seed run now
        return site;
    }

    /// <summary>The site with extra configuration (e.g. Stripe keys pointing at a fake), booted in memory.</summary>
    public static async Task<Site> StartAsync(DatabaseProvider provider, IReadOnlyDictionary<string, string?> settings)
    {
        var site = new Site(await TestDatabase.CreateAsync(provider), "Testing", seedDemo: false, settings);
        _ = site.Services;
        return site;
    }

    /// <summary>The site on a real Kestrel socket at 127.0.0.1 (any free port), for a real browser.</summary>
    public static async Task<(Site Site, Uri Address)> StartLiveAsync(
        DatabaseProvider provider, string environment = "Testing", bool seedDemo = false, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var site = new Site(await TestDatabase.CreateAsync(provider), environment, seedDemo, settings);
        site.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        site.StartServer();
        using var client = site.CreateClient();
        return (site, client.BaseAddress!);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.UseSetting("Database:Provider", _database.Provider.ToString());
        builder.UseSetting($"ConnectionStrings:{DatabaseOptions.ConnectionStringName}", _database.ConnectionString);
        builder.UseSetting("Database:MigrateOnStart", "true");
        builder.UseSetting("Database:SeedDemo", _seedDemo ? "true" : "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (so tests can see them).</summary>
    public SiteClient Browser() => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>An HTTP client that can fill in the site's forms, antiforgery token included.</summary>
public sealed partial class SiteClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(new Uri(path, UriKind.Relative));

    /// <summary>GETs the page holding the form, then POSTs the fields with that page's antiforgery token.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string path, IReadOnlyDictionary<string, string> fields, string? postPath = null)
    {
        var page = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, $"No antiforgery token on {path}.");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token.Groups[1].Value };
        return await Http.PostAsync(new Uri(postPath ?? path, UriKind.Relative), new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        SubmitAsync("/account/login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

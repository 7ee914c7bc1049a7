using Microsoft.Playwright;

namespace CrowdLabel.Browser.Tests.Support;

/// <summary>
/// One headless Debian Chromium per test class, driven by Playwright. Playwright never downloads a browser
/// here: it launches the machine's /usr/bin/chromium (or CROWDLABEL_CHROMIUM).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;

    /// <summary>
    /// How long a page action, navigation or expectation may wait. Playwright's defaults (30 s, and 5 s for an
    /// expectation) are for a quiet machine; ./test.sh runs the browser tests beside the other test projects on two
    /// cores, where the site's first requests are compiled while everything else starts too, and a sign-in once took
    /// over 30 s to land. A test that really fails still fails, only later.
    /// </summary>
    private const float PatienceMs = 120_000;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A fresh browser context (own cookies) against the site at <paramref name="address"/>, with <see cref="PatienceMs"/> for every wait.</summary>
    public async Task<IBrowserContext> NewContextAsync(Uri address)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address.ToString() });
        context.SetDefaultTimeout(PatienceMs);
        context.SetDefaultNavigationTimeout(PatienceMs);
        return context;
    }

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("CROWDLABEL_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not at {executable}: install Debian's chromium package (./test.sh does).");
        }

        Assertions.SetDefaultExpectTimeout(PatienceMs);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

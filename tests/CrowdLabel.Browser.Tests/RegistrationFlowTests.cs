using System.Text.RegularExpressions;
using CrowdLabel.Browser.Tests.Support;
using CrowdLabel.Data;
using CrowdLabel.Web.Tests.Support;
using Microsoft.Playwright;

namespace CrowdLabel.Browser.Tests;

public sealed class RegistrationFlowTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task NewRequester_Registers_CreatesAnOrganization_AndLandsOnItsDashboard()
    {
        var (site, address) = await Site.StartLiveAsync(DatabaseProvider.Sqlite);
        await using var _ = site;
        await using var context = await chromium.NewContextAsync(address);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).First.ClickAsync();
        await page.GetByLabel("get data labeled for my organization (requester)").CheckAsync();
        await page.GetByLabel("Email").FillAsync("rae@acme.test");
        await page.GetByLabel("Your name").FillAsync("Rae Requester");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Browser-Pass-123");
        await page.GetByLabel("Confirm password").FillAsync("Browser-Pass-123");
        await page.GetByLabel("Organization name").FillAsync("Acme Labs");
        await page.GetByLabel("URL name").FillAsync("acme-labs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/t/acme-labs$"));
        Assert.Equal("Acme Labs", await page.Locator("h1").InnerTextAsync());
        Assert.Contains("you are owner", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("rae@acme.test", await page.Locator(".who").InnerTextAsync());
    }
}

using System.Text;
using System.Text.RegularExpressions;
using CrowdLabel.Browser.Tests.Support;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CrowdLabel.Browser.Tests;

public sealed class PublishFlowTests(Chromium chromium) : IClassFixture<Chromium>
{
    private static async Task<string> CreateAdminAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var admin = new AppUser { Id = Guid.CreateVersion7(), UserName = "ops@crowdlabel.test", Email = "ops@crowdlabel.test", DisplayName = "Ops", CreatedAt = DateTime.UtcNow };
        Assert.True((await users.CreateAsync(admin, Scenario.Password)).Succeeded);
        await users.AddToRoleAsync(admin, Roles.Admin);
        return admin.Email;
    }

    [Fact]
    public async Task Requester_CreatesProject_UploadsCsv_IsRefusedForFunds_AdminCredits_RequesterPublishes()
    {
        var (site, address) = await Site.StartLiveAsync(DatabaseProvider.Sqlite);
        await using var _ = site;
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var adminEmail = await CreateAdminAsync(site.Services);
        await using var requesterContext = await chromium.NewContextAsync(address);
        var page = await requesterContext.NewPageAsync();
        await page.SignInAsync(tenant.OwnerEmail, Scenario.Password);

        // Create a project.
        await page.GotoAsync("/t/acme");
        await page.GetByRole(AriaRole.Link, new() { Name = "New project" }).ClickAsync();
        await page.GetByLabel("Project name").FillAsync("Toxicity");
        await page.GetByLabel("Labels").FillAsync("toxic | t\nfine | f");
        await page.GetByLabel("Price per answer (cents)").FillAsync("10");
        await page.GetByLabel("Base redundancy").FillAsync("3");
        await page.GetByLabel("Max redundancy").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/projects/[^/?#]+$"));
        Assert.Equal("Toxicity", await page.Locator("h1").InnerTextAsync());

        // Upload a CSV (through the progress-bar upload) and see the item count.
        await page.GetByLabel("Batch name").FillAsync("Comments 1");
        await page.Locator("#File").SetInputFilesAsync(new FilePayload
        {
            Name = "comments.csv", MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes("id,text,gold\nc1,you are great,fine\nc2,\"get lost, idiot\",toxic\nc3,nice weather,\nc4,whatever,\n"),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/batches/[^/?#]+$"));
        Assert.Equal("4", await page.Locator("#item-count").InnerTextAsync());

        // 4 items x 5 answers x (10 + 2 fee) = 2.40 USD; the balance is empty.
        Assert.Equal("2.40 USD", await page.Locator("#publish-cost").InnerTextAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        Assert.Contains("Add funds first", await page.Locator("#batch-errors").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("Draft", await page.Locator("#batch-status").InnerTextAsync());
        var batchUrl = page.Url;

        // An admin credits the balance.
        await using var adminContext = await chromium.NewContextAsync(address);
        var admin = await adminContext.NewPageAsync();
        await admin.SignInAsync(adminEmail, Scenario.Password);
        await admin.GotoAsync("/admin/credits");
        await admin.GetByLabel("Organization", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = tenant.TenantId.ToString() });
        await admin.GetByLabel("Amount, in the organization's currency").FillAsync("5.00");
        await admin.GetByLabel("Reason").FillAsync("Wire transfer 2026-11-28");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Credit the balance" }).ClickAsync();
        Assert.Contains("Credited 5.00 USD", await admin.Locator("#credited").InnerTextAsync(), StringComparison.Ordinal);

        // The requester publishes.
        await page.GotoAsync(batchUrl);
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(page.Locator("#batch-status")).ToHaveTextAsync("Published");
        var cost = await page.Locator("#batch-cost").InnerTextAsync();
        Assert.Contains("2.40 USD", cost, StringComparison.Ordinal);
    }
}
